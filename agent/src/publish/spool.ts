/**
 * The agent's bounded on-disk queue of wire-ready messages. Every batch part is written here
 * first and removed once JetStream acknowledged it, so nothing is lost while NATS is
 * unreachable, nor when the agent restarts (the next run republishes with the same ids, and
 * JetStream's duplicate window drops what had already arrived). Beyond `maxBytes` the oldest
 * messages are dropped and counted.
 *
 * One file per message: `<seq>.msg` = one JSON header line `{"id","subject"}` + the payload.
 * Files are written under a temporary name and renamed, so a crash never leaves half a file.
 * When the directory cannot be written the spool keeps messages in memory (same bound).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { errorMessage } from "@fleetprof/common";
import { join } from "node:path";

export interface SpoolEntry {
  seq: number;
  /** Message id (JetStream Nats-Msg-Id). */
  id: string;
  subject: string;
  /** Payload size in bytes. */
  size: number;
  /** In-memory payload (memory mode only). */
  data?: Uint8Array;
}

export interface SpoolStats {
  messages: number;
  bytes: number;
  /** Messages dropped because the spool was full, since start. */
  dropped: number;
}

const SUFFIX = ".msg";
const HEADER_OVERHEAD = 256;

export class Spool {
  readonly #entries: SpoolEntry[] = [];
  #bytes = 0;
  #nextSeq = 1;
  #dropped = 0;
  #memoryOnly = false;
  /** Why the spool is in memory (undefined when on disk). */
  readonly memoryReason: string | undefined;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    try {
      mkdirSync(dir, { recursive: true });
      const probe = join(dir, `.probe-${String(process.pid)}`);
      writeFileSync(probe, "");
      rmSync(probe);
      this.load();
    } catch (err) {
      this.#memoryOnly = true;
      this.memoryReason = errorMessage(err);
    }
  }

  get onDisk(): boolean {
    return !this.#memoryOnly;
  }

  stats(): SpoolStats {
    return { messages: this.#entries.length, bytes: this.#bytes, dropped: this.#dropped };
  }

  /** Adds a message; drops the oldest when over the limit. Returns how many were dropped. */
  put(id: string, subject: string, data: Uint8Array): number {
    const seq = this.#nextSeq++;
    const entry: SpoolEntry = { seq, id, subject, size: data.byteLength };
    if (this.#memoryOnly) {
      entry.data = data;
    } else {
      const file = this.file(seq);
      try {
        writeFileSync(`${file}.tmp`, Buffer.concat([Buffer.from(`${JSON.stringify({ id, subject })}\n`), data]));
        renameSync(`${file}.tmp`, file);
      } catch {
        // Disk full or gone: keep this one in memory rather than lose it.
        entry.data = data;
      }
    }
    this.#entries.push(entry);
    this.#bytes += entry.size + HEADER_OVERHEAD;
    let dropped = 0;
    while (this.#bytes > this.maxBytes && this.#entries.length > 1) {
      const oldest = this.#entries[0] as SpoolEntry;
      this.remove(oldest);
      this.#dropped++;
      dropped++;
    }
    return dropped;
  }

  /** Whether a message with this id is waiting. */
  has(id: string): boolean {
    return this.#entries.some((e) => e.id === id);
  }

  /** The oldest message, or undefined when empty. */
  peek(): SpoolEntry | undefined {
    return this.#entries[0];
  }

  /** The payload of an entry; undefined when it was dropped meanwhile or its file is unreadable. */
  read(entry: SpoolEntry): Uint8Array | undefined {
    if (entry.data !== undefined) return entry.data;
    try {
      const buf = readFileSync(this.file(entry.seq));
      const nl = buf.indexOf(0x0a);
      return new Uint8Array(buf.subarray(nl + 1));
    } catch {
      return undefined;
    }
  }

  /** Removes an entry (after its ack, or when dropping). Removing twice is harmless. */
  remove(entry: SpoolEntry): void {
    const i = this.#entries.indexOf(entry);
    if (i === -1) return;
    this.#entries.splice(i, 1);
    this.#bytes -= entry.size + HEADER_OVERHEAD;
    if (entry.data === undefined) rmSync(this.file(entry.seq), { force: true });
  }

  private file(seq: number): string {
    return join(this.dir, `${String(seq).padStart(12, "0")}${SUFFIX}`);
  }

  /** Picks up messages a previous run left behind, oldest first. */
  private load(): void {
    const files = readdirSync(this.dir)
      .filter((f) => f.endsWith(SUFFIX))
      .sort();
    for (const f of files) {
      const seq = Number(f.slice(0, -SUFFIX.length));
      if (!Number.isInteger(seq)) continue;
      const path = join(this.dir, f);
      try {
        const buf = readFileSync(path);
        const nl = buf.indexOf(0x0a);
        const header = JSON.parse(buf.subarray(0, nl).toString("utf8")) as { id?: unknown; subject?: unknown };
        if (typeof header.id !== "string" || typeof header.subject !== "string") throw new Error("bad header");
        const size = statSync(path).size - nl - 1;
        this.#entries.push({ seq, id: header.id, subject: header.subject, size });
        this.#bytes += size + HEADER_OVERHEAD;
        this.#nextSeq = Math.max(this.#nextSeq, seq + 1);
      } catch {
        rmSync(path, { force: true });
      }
    }
    for (const f of readdirSync(this.dir)) if (f.endsWith(".tmp")) rmSync(join(this.dir, f), { force: true });
    while (this.#bytes > this.maxBytes && this.#entries.length > 1) {
      this.remove(this.#entries[0] as SpoolEntry);
      this.#dropped++;
    }
  }
}
