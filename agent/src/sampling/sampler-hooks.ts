/**
 * The hooks that tie each process's sampler to the rest of the agent: how a py-spy run is
 * started (the py-spy found, the agent's rate, mode and limits, a fresh output file), where an
 * ended window goes, how failures and hand-over gaps are counted, and whether the process lives.
 */
import { errorMessage, type Clock, type Logger } from "@fleetprof/common";
import type { AgentMetrics } from "../metrics/agent-metrics.js";
import type { AgentConfig } from "../options.js";
import type { FailureReporter } from "../pyspy/failure-reporter.js";
import type { PySpyLocator } from "../pyspy/pyspy-locator.js";
import type { RunFiles } from "../pyspy/run-files.js";
import { PySpyRun, type PySpyRunOptions, type SamplingMode } from "../pyspy/run.js";
import type { EndedWindow, SamplerHooks, SamplerTarget } from "./process-sampler.js";

export interface SamplerHooksOptions {
  config: Pick<AgentConfig, "rate" | "nonblocking" | "pySpyDeadline" | "pySpyMaxMemory">;
  mode: SamplingMode;
  locator: Pick<PySpyLocator, "path" | "lost">;
  files: Pick<RunFiles, "window">;
  onWindow: (w: EndedWindow) => void;
  failures: Pick<FailureReporter, "report">;
  alive: (target: SamplerTarget) => boolean;
  metrics: AgentMetrics;
  log: Logger;
  /** The agent's clock, for the timestamps each run reports. */
  clock: Pick<Clock, "now">;
  /** Starts a run (default: a real py-spy, see {@link PySpyRun}). */
  newRun?: (options: PySpyRunOptions, gated: boolean) => PySpyRun;
}

/** The hooks every continuous sampler of the agent shares. */
export function samplerHooks(o: SamplerHooksOptions): SamplerHooks {
  const newRun = o.newRun ?? ((options, gated) => new PySpyRun(options, o.clock, gated));
  return {
    startRun: (pid, gated) =>
      newRun(
        {
          pySpy: o.locator.path ?? "py-spy",
          pid,
          rate: o.config.rate,
          mode: o.mode,
          nonblocking: o.config.nonblocking,
          outputPath: o.files.window(pid),
          deadlineMs: o.config.pySpyDeadline,
          maxMemoryBytes: o.config.pySpyMaxMemory,
        },
        gated,
      ),
    onWindow: o.onWindow,
    onFailure: (target, kind, detail, backoff) => {
      if (kind === "not-installed") o.locator.lost();
      return o.failures.report(target, kind, detail, backoff);
    },
    onGap: (ms) => {
      o.metrics.windowGapSeconds.inc({}, ms / 1000);
      o.metrics.windowGaps.inc();
    },
    alive: o.alive,
    onError: (target, err) => {
      o.log.error({ err, targetPid: target.pid }, `internal error handling a window of pid ${String(target.pid)}: ${errorMessage(err)}`);
    },
  };
}
