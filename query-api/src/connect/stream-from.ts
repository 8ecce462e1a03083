/**
 * A callback-style producer (`send` each message, resolve at the end, throw to fail) as the
 * async iterable a Connect streaming handler returns.
 */
export async function* streamFrom<T>(produce: (send: (message: T) => void) => Promise<void>, mapError: (err: unknown) => Error): AsyncGenerator<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: { err: unknown } | undefined;
  const poke = (): void => {
    wake?.();
    wake = undefined;
  };
  void produce((message) => {
    queue.push(message);
    poke();
  }).then(
    () => {
      finished = true;
      poke();
    },
    (err: unknown) => {
      failure = { err };
      finished = true;
      poke();
    },
  );
  for (;;) {
    const next = queue.shift();
    if (next !== undefined) {
      yield next;
      continue;
    }
    if (finished) break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
  if (failure !== undefined) throw mapError(failure.err);
}
