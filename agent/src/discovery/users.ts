/** uid → user name from /etc/passwd, re-read at most once a minute. */
import { readFileSync } from "node:fs";

export class UserNames {
  #names = new Map<number, string>();
  #readAt = -Infinity;

  constructor(private readonly passwd = "/etc/passwd") {}

  name(uid: number | undefined): string | undefined {
    if (uid === undefined) return undefined;
    if (!this.#names.has(uid) && Date.now() - this.#readAt > 60_000) this.reload();
    return this.#names.get(uid);
  }

  private reload(): void {
    this.#readAt = Date.now();
    try {
      const names = new Map<number, string>();
      for (const line of readFileSync(this.passwd, "utf8").split("\n")) {
        const [name, , uid] = line.split(":");
        if (name !== undefined && name !== "" && uid !== undefined && /^\d+$/.test(uid)) names.set(Number(uid), name);
      }
      this.#names = names;
    } catch {
      // no passwd (minimal container): uids only
    }
  }
}
