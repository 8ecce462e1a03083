import type { NatsConnection } from "@nats-io/transport-node";

/** Collects the errors the server sends a connection (permission violations arrive this way). */
export function watchErrors(nc: NatsConnection): { errors: string[]; waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string> } {
  const errors: string[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "error") {
        errors.push(String(s.error));
        for (const w of waiters) w();
      }
    }
  })();
  const waitFor = (pattern: RegExp, timeoutMs = 10_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = errors.find((e) => pattern.test(e));
        if (hit !== undefined) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no server error matching ${String(pattern)} within ${timeoutMs} ms; saw: ${errors.join(" | ") || "none"}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { errors, waitFor };
}
