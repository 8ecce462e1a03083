import { encodeBatch, decodeBatch } from "@fleetprof/proto";
import { makeBatch, makeProfile } from "./test/batches.js";
const payloads = [];
let samples = 0;
for (let i = 0; i < 100; i++) {
  const b = makeBatch(`b${i}`, `host${i}`, Array.from({ length: 8 }, (_, j) => makeProfile({ service: `svc${i % 5}`, version: "1.0", pid: 100 + j, windowStartUnixMs: 1764072000000 + i * 10 })));
  for (const p of b.profiles) for (const s of p.stacks) samples += Number(s.count);
  payloads.push(encodeBatch(b));
}
console.log("bytes/payload", payloads[0]!.byteLength, "samples", samples);
for (let round = 0; round < 3; round++) {
  const t = performance.now();
  for (const p of payloads) decodeBatch(p);
  const ms = performance.now() - t;
  console.log("decode ms", ms.toFixed(0), "samples/s", (samples / ms * 1000 / 1e6).toFixed(2), "M");
}
import { gunzipSync } from "node:zlib";
{
  const t = performance.now();
  let bytes = 0;
  for (const p of payloads) bytes += gunzipSync(p).byteLength;
  console.log("gunzip ms", (performance.now() - t).toFixed(0), "raw bytes", bytes);
}
import { decodeSampleBatch } from "./src/decode/sample-batch.js";
{
  const raws = payloads.map((p) => gunzipSync(p));
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    for (const r of raws) decodeSampleBatch(r, { maxStackDepth: 2048, maxLabels: 32, maxStringLength: 4096 });
    const ms = performance.now() - t;
    console.log("fast decode ms", ms.toFixed(0), "samples/s", (samples / ms * 1000 / 1e6).toFixed(2), "M");
  }
}
