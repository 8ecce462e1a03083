/**
 * What reading py-spy's output and building a profile cut, counted in the agent's metrics;
 * each kind of problem is logged once (warn or info, with where it is counted), repeats at debug.
 * Continuous windows and ad-hoc captures both go through it.
 */
import { LogOnce, type Logger } from "@fleetprof/common";
import { AGENT_LIMITS } from "@fleetprof/proto";
import type { AgentMetrics } from "../metrics/agent-metrics.js";
import type { PySpyOutput } from "../pyspy/output.js";
import type { BuiltProfile } from "./profile.js";

export class OutputAccounting {
  readonly #once = new LogOnce();

  constructor(
    private readonly metrics: AgentMetrics,
    private readonly log: Logger,
  ) {}

  /** Counts the samples kept and what was cut from the output of a run on `pid`. */
  account(output: PySpyOutput, built: BuiltProfile, pid: number): void {
    this.metrics.samples.inc({}, built.samples);
    this.metrics.recordCuts(output.cuts, built.samplesOverCap);
    if (output.problem !== undefined) {
      this.metrics.parseErrors.inc();
      if (this.#once.first("output-problem"))
        this.log.warn(
          { targetPid: pid, problem: output.problem },
          `py-spy's output for pid ${String(pid)} could not be read whole: ${output.problem} (counted in fleetprof_agent_parse_errors_total; further cases are logged at debug)`,
        );
      else this.log.debug({ targetPid: pid, problem: output.problem }, "py-spy output not read whole");
    }
    if (built.samplesOverCap > 0 && this.#once.first("over-cap")) {
      this.log.warn(
        { targetPid: pid, removed: built.samplesOverCap },
        `pid ${String(pid)}: py-spy's output counts more samples than the window's rate and length allow; ${String(built.samplesOverCap)} removed (fleetprof_agent_samples_capped_total)`,
      );
    }
    if (output.cuts.deepStacks > 0 && this.#once.first("deep-stacks")) {
      this.log.info(
        { targetPid: pid },
        `pid ${String(pid)} has stacks deeper than ${String(AGENT_LIMITS.maxStackDepth)} frames: they are cut at the root end, a frame marks the cut (fleetprof_agent_stacks_truncated_total)`,
      );
    }
  }
}
