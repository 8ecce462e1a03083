/**
 * Groups the profiles of windows that end together into one SampleBatch per service (the
 * subject is per service), so a round of windows becomes a few messages rather than one per
 * process. Flushing runs in a timer, so it never throws: a batch that cannot be emitted goes to
 * `onError` and the other batches of the round are emitted all the same.
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { FORMAT_VERSION, SampleBatchSchema, type ProcessProfile, type SampleBatch } from "@fleetprof/proto";

/** A new batch (its own id, one part) of these profiles. */
export function sampleBatch(host: string, agentVersion: string, profiles: ProcessProfile[]): SampleBatch {
  return create(SampleBatchSchema, { batchId: randomUUID(), host, agentVersion, formatVersion: FORMAT_VERSION, profiles, part: 0, parts: 1 });
}

export class Batcher {
  #pending: ProcessProfile[] = [];
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param emit receives each batch
   * @param onError receives a batch `emit` threw on, and what it threw
   * @param lingerMs how long to wait for more profiles after the first one of a round
   */
  constructor(
    private readonly host: string,
    private readonly agentVersion: string,
    private readonly emit: (batch: SampleBatch) => void,
    private readonly onError: (err: unknown, batch: SampleBatch) => void,
    private readonly lingerMs = 300,
  ) {}

  add(profile: ProcessProfile): void {
    this.#pending.push(profile);
    this.#timer ??= setTimeout(() => this.flush(), this.lingerMs);
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const profiles = this.#pending;
    this.#pending = [];
    const byService = new Map<string, ProcessProfile[]>();
    for (const p of profiles) {
      const list = byService.get(p.service);
      if (list === undefined) byService.set(p.service, [p]);
      else list.push(p);
    }
    for (const group of byService.values()) {
      const batch = sampleBatch(this.host, this.agentVersion, group);
      try {
        this.emit(batch);
      } catch (err) {
        this.onError(err, batch);
      }
    }
  }
}
