import { openStore } from "./src/index.js";
import { makeProfile } from "./test/profiles.js";
const store = await openStore("chdb:///tmp/exp/bench" + Date.now());
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
for (let round = 0; round < 4; round++) {
  const many = [];
  for (let i = 0; i < 40; i++) many.push({ batchId: `r${round}b${i}`, host: "h", profiles: Array.from({ length: 20 }, (_, j) => makeProfile({ service: "big", version: "1", pid: j, windowStartUnixMs: T0 + round * 10000, stacks: 300, seed: j })) });
  const t = performance.now();
  const r = await store.writeBatches(many);
  console.log(round, r.rows, r.samples, "total ms", (performance.now() - t).toFixed(0), "insert ms", r.insertMs.toFixed(0), r.frames, r.stacks);
}
await store.close();
