/**
 * A decode worker thread: gunzip, protobuf decode and validation of one message at a time, off
 * the collector's main thread (which then only encodes and writes). See pool.ts.
 */
import { parentPort, workerData } from "node:worker_threads";
import { decodeMessageSync, type IngestLimits } from "../ingest/message.js";
import { toTransfer, type DecodeJob } from "./transfer.js";

const limits = (workerData as { limits: IngestLimits }).limits;
const port = parentPort;
if (port === null) throw new Error("decode worker started outside a worker thread");

port.on("message", (job: DecodeJob) => {
  const d = decodeMessageSync(job.data, job.format, job.encoding, limits);
  if (!d.ok) {
    port.postMessage({ id: job.id, d });
    return;
  }
  const { batch, transfer } = toTransfer(d.batch);
  port.postMessage({ id: job.id, d: { ...d, batch } }, transfer);
});
