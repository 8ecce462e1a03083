/**
 * Hostile payloads for the collector, as an attacker holding one agent's NATS credentials
 * would publish them. Each is built from bytes, not through the agent, so it can break every
 * rule the agent keeps. Times are relative to now (no calendar dependence).
 */
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { ProcessProfileSchema, ProfileMode, SampleBatchSchema, samplesSubject, type SampleBatch } from "@fleetprof/proto";
import { makeBatch, makeProfile } from "../../collector/test/batches.js";

const DAY = 86_400_000;

/** A recent window start on a minute boundary (an hour back: inside every TTL and time check). */
export function recentWindow(offsetMs = 0): number {
  return Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000 + offsetMs;
}

/** A legitimate batch: `profiles` processes of `service` on `host`, 1000 samples each. */
export function goodBatch(id: string, service = "shop", host = "web-1", profiles = 2): SampleBatch {
  return makeBatch(
    id,
    host,
    Array.from({ length: profiles }, (_, i) =>
      makeProfile({ service, version: "1.0", pid: 100 + i, windowStartUnixMs: recentWindow(), stacks: 50, seed: id.length * 31 + i }),
    ),
  );
}

/**
 * The 65 KB protobuf bomb: a SampleBatch (batch id "x", format version 1) followed by 33 M
 * empty profiles (`2a 00`), ~64 MiB raw — just under the 64 MiB decompressed-size guard.
 */
export function protobufBomb(profiles = 33_000_000): Uint8Array {
  const head = Buffer.from([0x0a, 0x01, 0x78, 0x20, 0x01]);
  const raw = Buffer.alloc(head.length + profiles * 2);
  head.copy(raw);
  raw.fill(Buffer.from([0x2a, 0x00]), head.length);
  return gzipSync(raw, { level: 9 });
}

/** A gzip bomb of the plain kind: `mib` MiB of zeros behind a valid batch header (~1 KB per MiB on the wire). */
export function gzipBomb(mib = 256): Uint8Array {
  const raw = Buffer.alloc(mib * 1024 * 1024);
  Buffer.from([0x0a, 0x01, 0x78, 0x20, 0x01]).copy(raw);
  return gzipSync(raw, { level: 9 });
}

/** 101 profiles whose windows are a day apart, up to 100 days back: 101 daily partitions. */
export function poisonBatch(id: string, service = "shop", host = "web-1"): SampleBatch {
  const t = recentWindow();
  return makeBatch(
    id,
    host,
    Array.from({ length: 101 }, (_, i) => makeProfile({ service, version: "1.0", pid: 1000 + i, windowStartUnixMs: t - i * DAY, stacks: 5, samples: 10 })),
  );
}

/** One profile whose window starts at `windowStartUnixMs` (far past or future). */
export function timeBatch(id: string, windowStartUnixMs: number, service = "shop", host = "web-1"): SampleBatch {
  return makeBatch(id, host, [makeProfile({ service, version: "1.0", pid: 7, windowStartUnixMs, stacks: 5, samples: 10 })]);
}

/** `values` distinct label values in one message: `perProfile` labels on each of values / perProfile stackless profiles. */
export function labelFlood(id: string, values = 100_000, perProfile = 50, service = "shop", host = "web-1"): SampleBatch {
  const t = recentWindow();
  const profiles = Array.from({ length: Math.ceil(values / perProfile) }, (_, i) =>
    create(ProcessProfileSchema, {
      pid: 10_000 + i,
      service,
      version: "1.0",
      mode: ProfileMode.CPU,
      sampleRateHz: 100,
      windowStartUnixMs: BigInt(t),
      windowEndUnixMs: BigInt(t + 10_000),
      labels: Object.fromEntries(Array.from({ length: perProfile }, (_, k) => [`k${String(k)}`, `v${String(i * perProfile + k)}`])),
    }),
  );
  return makeBatch(id, host, profiles);
}

/** A good-looking batch whose first function name carries bytes that are not UTF-8 (`ff fe`). */
export function invalidUtf8(id: string, service = "shop", host = "web-1"): Uint8Array {
  const b = goodBatch(id, service, host, 1);
  const profile = b.profiles[0] as SampleBatch["profiles"][number];
  const marker = "@@MARK@@";
  profile.strings[1] = `${marker}${profile.strings[1] ?? ""}`;
  const raw = Buffer.from(toBinary(SampleBatchSchema, b));
  const at = raw.indexOf(marker);
  if (at < 0) throw new Error("marker not found");
  raw[at] = 0xff;
  raw[at + 1] = 0xfe;
  return gzipSync(raw);
}

/** A batch whose payload says `payloadHost` / `payloadService`, published by another host. */
export function forged(id: string, payloadService: string, payloadHost: string): SampleBatch {
  return create(SampleBatchSchema, goodBatch(id, payloadService, payloadHost, 1));
}

/** The subject an honest agent on `host` uses for `service`. */
export function subjectOf(service: string, host: string): string {
  return samplesSubject(service, host);
}

export { DAY };
