/** Waiting in tests: one polling loop and one "this call must fail" helper for every package. */
import { FleetprofError, sleep } from "@fleetprof/common";

/**
 * Polls `probe` until it returns something other than `undefined` or `false`, and returns that;
 * after `timeoutMs` throws "timed out … waiting for <what>".
 */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${String(timeoutMs)}ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The FleetprofError a call rejects with; anything else (success, another error) throws. */
export async function errorOf(p: Promise<unknown>): Promise<FleetprofError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FleetprofError) return err;
    throw new Error(`expected a FleetprofError, got ${String(err)}`, { cause: err });
  }
  throw new Error("the call succeeded; expected a FleetprofError");
}
