/**
 * Stopping the agent without losing a window: scanning and boundaries stop, the control
 * endpoint closes, every py-spy (windows and captures) gets SIGINT and writes what it has, those
 * windows are batched, then the publisher publishes what it can (the rest stays in the spool).
 */
import type { Logger } from "@fleetprof/common";
import type { CaptureService } from "./control/capture.js";
import type { ControlServer } from "./control/control-server.js";
import type { MetricsServer } from "./metrics/server.js";
import type { Batcher } from "./publish/batcher.js";
import type { Publisher } from "./publish/publisher.js";
import type { RunFiles } from "./pyspy/run-files.js";
import type { ProcessSampler } from "./sampling/process-sampler.js";

/** How long shutdown waits for py-spy to write its output, and for the publisher. */
const STOP_DEADLINE_MS = 3000;

/** The running parts of an agent, in the shape stopping needs. */
export interface RunningAgent {
  /** Stops scanning /proc and the window boundaries: no new py-spy starts. */
  halt: () => void;
  control: Pick<ControlServer, "close">;
  captures: Pick<CaptureService, "stop">;
  samplers: ReadonlyMap<string, Pick<ProcessSampler, "finish">>;
  batcher: Pick<Batcher, "flush">;
  publisher: Pick<Publisher, "stop">;
  metricsServer: Pick<MetricsServer, "close"> | undefined;
  files: Pick<RunFiles, "remove">;
  log: Logger;
}

/** Stops every part in order; resolves once the last window was handed to the publisher and it stopped. */
export async function stopAgent(a: RunningAgent, deadlineMs = STOP_DEADLINE_MS): Promise<void> {
  a.halt();
  a.control.close();
  await Promise.all([a.captures.stop(deadlineMs), ...[...a.samplers.values()].map((s) => s.finish(deadlineMs))]);
  a.batcher.flush();
  await a.publisher.stop(deadlineMs);
  await a.metricsServer?.close();
  a.files.remove();
  a.log.info("agent stopped");
}
