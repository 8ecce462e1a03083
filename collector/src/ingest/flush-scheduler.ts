/**
 * When a write goes out: when no write is in flight and either `flushRows` sample rows wait,
 * the oldest waiting message is `flushInterval` old, or the collector is stopping. While a write
 * is in flight the next one keeps gathering (bigger writes under load).
 */

export interface FlushSettings {
  /** Write once this many sample rows wait. */
  flushRows: number;
  /** Write at least this often (ms) when anything waits. */
  flushInterval: number;
}

/** What the decision looks at. */
export interface FlushState {
  /** When the oldest waiting message was decoded (ms); undefined when none waits. */
  oldest: number | undefined;
  /** Sample rows waiting. */
  rows: number;
  /** A write is in flight. */
  committing: boolean;
  stopping: boolean;
}

/** True when the waiting messages should be written now. */
export function flushDue(s: FlushState, now: number, o: FlushSettings): boolean {
  if (s.oldest === undefined || s.committing) return false;
  return s.rows >= o.flushRows || now - s.oldest >= o.flushInterval || s.stopping;
}

/** How long to wait before looking again (ms) when no write is due; a poke may end the wait sooner. */
export function flushWait(s: FlushState, now: number, o: FlushSettings): number {
  if (s.oldest === undefined || s.committing) return o.flushInterval;
  return Math.max(1, o.flushInterval - (now - s.oldest));
}
