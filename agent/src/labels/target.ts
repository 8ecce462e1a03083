/** A discovered process as the sampler knows it: identity plus its labels, read once. */
import type { ProcFs } from "../discovery/proc.js";
import type { DiscoveredProcess } from "../discovery/scanner.js";
import type { SamplerTarget } from "../sampling/process-sampler.js";
import { containerIdFromCgroup } from "./container.js";
import { deriveLabels } from "./labels.js";

export function samplerTarget(proc: ProcFs, p: DiscoveredProcess, maxLabels: number): SamplerTarget {
  const l = deriveLabels({
    environ: proc.environ(p.pid),
    cmdline: p.cmdline,
    cwd: proc.cwd(p.pid),
    pythonVersion: p.python.version,
    containerId: containerIdFromCgroup(proc.cgroup(p.pid)),
    maxLabels,
  });
  return {
    key: p.key,
    pid: p.pid,
    uid: p.uid,
    user: p.user,
    startUnixMs: p.startUnixMs,
    service: l.service,
    version: l.version,
    labels: l.labels,
    labelsTruncated: l.truncated,
  };
}
