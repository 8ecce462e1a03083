/**
 * Small helpers every package needs once: an abortable wait and the text of an unknown error.
 */

/**
 * Waits `ms` milliseconds, or less when `signal` aborts. Resolves `true` when the whole time
 * passed and `false` when the wait was cut short (never rejects, so a stopping loop can simply
 * check the result or the signal).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Waits for `p` to settle, at most `ms` milliseconds. Resolves `true` when it settled in time
 * (fulfilled or rejected: the outcome is the caller's to read from `p`), `false` otherwise;
 * either way no timer is left behind to hold the process up.
 */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  const timeUp = new AbortController();
  const settled = p.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, sleep(ms, timeUp.signal).then(() => false)]);
  } finally {
    timeUp.abort();
  }
}

/** The message of a thrown value: an Error's `message`, anything else as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
