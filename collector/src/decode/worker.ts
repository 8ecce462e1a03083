/**
 * A decode worker thread: gunzip, protobuf decode and validation of one message at a time, off
 * the collector's main thread (which then only encodes and writes). See pool.ts: the id of the
 * job being decoded is kept in shared memory, so if this thread dies the pool knows of which
 * message.
 */
import { parentPort, workerData } from "node:worker_threads";
import { decodeMessageSync, type IngestLimits } from "../ingest/message.js";
import { toTransfer, type DecodeJob } from "./transfer.js";

const { limits, current } = workerData as { limits: IngestLimits; current: Int32Array };
const port = parentPort;
if (port === null) throw new Error("decode worker started outside a worker thread");

port.on("message", (job: DecodeJob) => {
  Atomics.store(current, 0, job.id + 1);
  const d = decodeMessageSync(job.data, job.format, job.encoding, limits);
  if (!d.ok) port.postMessage({ id: job.id, d });
  else {
    const { batch, transfer } = toTransfer(d.batch);
    port.postMessage({ id: job.id, d: { ...d, batch } }, transfer);
  }
  Atomics.store(current, 0, 0);
});
