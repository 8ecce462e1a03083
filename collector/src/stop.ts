/**
 * The collector's stop sequence: stop pulling (bounded: a dead NATS connection must not hold the
 * shutdown), write what was received with a deadline (what is not written by then stays
 * unacknowledged and JetStream delivers it again), then release the rest.
 */
import type { Clock } from "@fleetprof/common";

/** How long stopping the pull may take before the shutdown goes on without it. */
export const STOP_PULL_TIMEOUT_MS = 2000;
/** How long writing what was received may take at stop. */
export const STOP_WRITE_DEADLINE_MS = 8000;

export interface StopSteps {
  /** Stops pulling from JetStream. */
  stopPulling(): Promise<unknown>;
  /** Resolves once what was received is written (or given up on). */
  finishWriting(): Promise<unknown>;
  /** Called at the write deadline: start no more writes, stop retrying. */
  giveUp(): void;
  /** Releases everything else (decode workers, NATS, HTTP, store). */
  release(): Promise<void>;
}

/** Runs the steps in order (see the file comment). */
export async function stopInOrder(steps: StopSteps, clock: Clock): Promise<void> {
  const pulled = new AbortController();
  await Promise.race([steps.stopPulling().catch(() => undefined), clock.sleep(STOP_PULL_TIMEOUT_MS, pulled.signal)]);
  pulled.abort();
  const deadline = clock.after(STOP_WRITE_DEADLINE_MS, () => steps.giveUp());
  await steps.finishWriting();
  deadline.cancel();
  await steps.release();
}
