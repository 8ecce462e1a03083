/** Stand-ins for the store's write builder and decoded batches, for unit tests. */
import type { DecodedBatch } from "../decode/sample-batch.js";
import type { OpenWrite } from "./pending-write.js";

/** A write as the fake builder prepares it: the ids of its batches, in order. */
export type FakePrepared = string[];

/** Opens fake writes; `opened` lists every write opened so far. */
export function fakeWrites(): { begin: () => OpenWrite<FakePrepared>; opened: FakePrepared[] } {
  const opened: FakePrepared[] = [];
  return {
    opened,
    begin: () => {
      const ids: FakePrepared = [];
      opened.push(ids);
      return { add: (b) => void ids.push(b.batchId), finish: () => ids };
    },
  };
}

/** A decoded batch of one host and service (only what the pipeline looks at). */
export function fakeBatch(batchId: string, host = "host", service = "svc"): DecodedBatch {
  return { batchId, host, profiles: [{ service, pid: 1 }] } as unknown as DecodedBatch;
}
