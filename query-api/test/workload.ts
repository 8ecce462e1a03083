/**
 * The known workload of the integration tests: service "shop", versions 1.0 and 2.0 on two
 * hosts, ten one-minute windows each. Per window and host:
 *   1.0: main;handle;alpha 60, main;handle;beta 30, main;handle;gamma 6, main;legacy_cache 4
 *   2.0: alpha doubled (120), beta 30, gamma 6, main;new_feature 4 (legacy_cache gone)
 */
import { openStore, type BatchInput, type Store } from "@fleetprof/store";
import { tempDir } from "@fleetprof/test";
import { batchOf, type ProfileSpec } from "./fixtures.js";

export const WORKLOAD = {
  service: "shop",
  v1: { "main;handle;alpha": 60, "main;handle;beta": 30, "main;handle;gamma": 6, "main;legacy_cache": 4 },
  v2: { "main;handle;alpha": 120, "main;handle;beta": 30, "main;handle;gamma": 6, "main;new_feature": 4 },
  hosts: [
    { host: "web-1", region: "eu" },
    { host: "web-2", region: "us" },
  ],
  windows: 10,
} as const;

export interface Ingested {
  store: Store;
  /** A range covering every sample. */
  startMs: number;
  endMs: number;
  totals: { v1: number; v2: number };
  close(): Promise<void>;
}

/** The workload's batches, starting at `startMs` (windows 7 s past each minute). */
export function workloadBatches(startMs: number): BatchInput[] {
  const batches: BatchInput[] = [];
  for (let w = 0; w < WORKLOAD.windows; w++) {
    for (const [i, h] of WORKLOAD.hosts.entries()) {
      const timeMs = startMs + w * 60_000 + 7000;
      const common = { service: WORKLOAD.service, thread: "MainThread", labels: { region: h.region }, timeMs };
      const profiles: ProfileSpec[] = [
        { ...common, version: "1.0", pid: 100 + i, stacks: withFile(WORKLOAD.v1) },
        { ...common, version: "2.0", pid: 200 + i, stacks: withFile(WORKLOAD.v2) },
      ];
      batches.push(batchOf(h.host, ...profiles));
    }
  }
  return batches;
}

/** Frames are `shop.<fn>` so the fixture builder files them under shop.py; names drop the module. */
function withFile(stacks: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(stacks).map(([k, v]) => [k.split(";").map((f) => `shop:${f}`).join(";"), v]));
}

function sum(stacks: Record<string, number>): number {
  return Object.values(stacks).reduce((a, b) => a + b, 0);
}

/** Opens a fresh embedded store and writes the workload through the store's write path. */
export async function ingestWorkload(): Promise<Ingested> {
  const store = await openStore(`chdb://${tempDir("fleetprof-query-")}`);
  const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
  await store.writeBatches(workloadBatches(startMs));
  const n = WORKLOAD.windows * WORKLOAD.hosts.length;
  return { store, startMs, endMs: startMs + (WORKLOAD.windows + 1) * 60_000, totals: { v1: sum(WORKLOAD.v1) * n, v2: sum(WORKLOAD.v2) * n }, close: () => store.close() };
}
