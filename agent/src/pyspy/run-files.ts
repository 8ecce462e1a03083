/**
 * Where py-spy runs write their output: one private temporary directory per agent, one file
 * name per run (window or capture), removed with the directory when the agent stops.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class RunFiles {
  /** The agent's directory for py-spy output. */
  readonly dir: string;
  #seq = 0;

  constructor(parent = tmpdir()) {
    this.dir = mkdtempSync(join(parent, "fleetprof-agent-"));
  }

  /** The output file of a continuous window's run on `pid`. */
  window(pid: number): string {
    return join(this.dir, `${String(pid)}-${String(++this.#seq)}.json`);
  }

  /** The output file of an ad-hoc capture on `pid`. */
  capture(pid: number): string {
    return join(this.dir, `capture-${String(pid)}-${String(++this.#seq)}.json`);
  }

  /** Removes the directory and whatever is left in it. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
