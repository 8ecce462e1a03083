/**
 * Keeps track of the py-spy binary the agent runs. Until one is found, discovery looks for it
 * at most every 60 s (doubling up to 10 min after each miss), logging the fix once; a run that
 * finds py-spy gone ({@link PySpyLocator.lost}) makes the next scan look again at once.
 */
import { errorMessage, LogOnce, type Logger } from "@fleetprof/common";
import type { Clock } from "@fleetprof/common";
import { MAX_BACKOFF_MS } from "./failure-reporter.js";
import { locatePySpy } from "./locate.js";

/** Wait after the first miss; doubles up to {@link MAX_BACKOFF_MS}. */
export const FIRST_LOCATE_RETRY_MS = 60_000;

export interface PySpyLocatorOptions {
  /** The --py-spy option, when given. */
  explicit: string | undefined;
  log: Logger;
  clock: Pick<Clock, "now">;
  /** Finds the binary or throws with the fix (default {@link locatePySpy}). */
  locate?: (explicit: string | undefined) => string;
}

export class PySpyLocator {
  readonly #o: PySpyLocatorOptions;
  readonly #locate: (explicit: string | undefined) => string;
  readonly #once = new LogOnce();
  #path: string | undefined;
  #retryAt = 0;
  #delay = FIRST_LOCATE_RETRY_MS;

  constructor(options: PySpyLocatorOptions) {
    this.#o = options;
    this.#locate = options.locate ?? locatePySpy;
  }

  /** The py-spy in use; undefined while none is found. */
  get path(): string | undefined {
    return this.#path;
  }

  /** Looks for py-spy when none is known and the wait after the last miss is over. */
  locate(): void {
    if (this.#path !== undefined || this.#o.clock.now() < this.#retryAt) return;
    try {
      this.#path = this.#locate(this.#o.explicit);
      this.#delay = FIRST_LOCATE_RETRY_MS;
      this.#o.log.info({ pySpy: this.#path }, "using py-spy");
    } catch (err) {
      this.#retryAt = this.#o.clock.now() + this.#delay;
      if (this.#once.first("py-spy-missing"))
        this.#o.log.error({ retryInMs: this.#delay }, `${errorMessage(err)}; looking again every ${String(this.#delay / 1000)}s`);
      this.#delay = Math.min(this.#delay * 2, MAX_BACKOFF_MS);
    }
  }

  /** py-spy turned out not to be installed (any more): the next {@link locate} looks again. */
  lost(): void {
    this.#path = undefined;
    this.#retryAt = 0;
  }
}
