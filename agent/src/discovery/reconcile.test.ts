import { describe, expect, it } from "vitest";
import { AgentMetrics } from "../metrics/agent-metrics.js";
import type { SamplerState, SamplerTarget } from "../sampling/process-sampler.js";
import { recordingLogger } from "../testing/recording-logger.js";
import { DiscoveryReconciler, type ReconciledSampler } from "./reconcile.js";
import type { DiscoveredProcess } from "./scanner.js";

function found(pid: number, python: DiscoveredProcess["python"] = { kind: "cpython", version: "3.12" }): DiscoveredProcess {
  return {
    key: `${String(pid)}:100`,
    pid,
    ppid: 1,
    startUnixMs: 0,
    uid: 0,
    user: "root",
    cmdline: ["python3", `/srv/app${String(pid)}.py`],
    exe: "/usr/bin/python3",
    python,
    verdict: python.kind === "unsupported" ? "unsupported" : "profile",
  };
}

class FakeSampler implements ReconciledSampler {
  state: SamplerState = "running";
  windows = 0;
  begun = false;
  readonly target: SamplerTarget;
  constructor(p: DiscoveredProcess) {
    this.target = {
      key: p.key,
      pid: p.pid,
      uid: p.uid,
      user: p.user,
      startUnixMs: p.startUnixMs,
      service: `app${String(p.pid)}`,
      version: "unknown",
      labels: {},
      labelsTruncated: 0,
    };
  }
  begin(): void {
    this.begun = true;
  }
}

function harness(maxProcesses = 64): {
  r: DiscoveryReconciler<FakeSampler>;
  metrics: AgentMetrics;
  forgotten: string[];
  lines: ReturnType<typeof recordingLogger>["lines"];
  pySpy: { present: boolean };
  next: { scan: DiscoveredProcess[] | Error };
} {
  const metrics = new AgentMetrics();
  const forgotten: string[] = [];
  const { log, lines } = recordingLogger();
  const pySpy = { present: true };
  const next: { scan: DiscoveredProcess[] | Error } = { scan: [] };
  const r = new DiscoveryReconciler<FakeSampler>({
    scan: () => {
      if (next.scan instanceof Error) throw next.scan;
      return next.scan;
    },
    procDir: "/host/proc",
    canSample: () => pySpy.present,
    createSampler: (p) => new FakeSampler(p),
    maxProcesses,
    forget: (key) => forgotten.push(key),
    metrics,
    log,
  });
  return { r, metrics, forgotten, lines, pySpy, next };
}

const skipped = (m: AgentMetrics, reason: string): number => m.processesSkipped.get({ reason });

describe("discovery reconciliation", () => {
  it("begins one sampler per new CPython process and says which service it profiles", () => {
    const h = harness();
    h.r.reconcile([found(10), found(11)]);
    h.r.reconcile([found(10), found(11)]);
    expect([...h.r.samplers.keys()]).toEqual(["10:100", "11:100"]);
    expect([...h.r.samplers.values()].every((s) => s.begun)).toBe(true);
    expect(h.metrics.processesProfiled.get()).toBe(2);
    expect(h.lines.filter((l) => l.level === "info").map((l) => l.msg)).toEqual(["profiling pid 10 as app10", "profiling pid 11 as app11"]);
  });

  it("waits for py-spy before profiling what it found", () => {
    const h = harness();
    h.pySpy.present = false;
    h.r.reconcile([found(10)]);
    expect(h.r.samplers.size).toBe(0);
    h.pySpy.present = true;
    h.r.reconcile([found(10)]);
    expect(h.r.samplers.size).toBe(1);
  });

  it("profiles at most --max-processes, counts the rest as skipped for the limit and warns once", () => {
    const h = harness(2);
    h.r.reconcile([found(10), found(11), found(12)]);
    h.r.reconcile([found(10), found(11), found(12)]);
    expect([...h.r.samplers.keys()]).toEqual(["10:100", "11:100"]);
    expect(skipped(h.metrics, "limit")).toBe(1);
    expect(h.lines.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual([
      "more than 2 Python processes: profiling the first 2 (raise --max-processes)",
    ]);
  });

  it("skips an unsupported interpreter while it lives, warning once per version", () => {
    const h = harness();
    const ft = { kind: "unsupported", version: "3.13t", reason: "free-threaded CPython 3.13t is not supported by py-spy 0.4" } as const;
    h.r.reconcile([found(20, ft), found(21, ft)]);
    h.r.reconcile([found(20, ft), found(21, ft)]);
    expect(h.r.samplers.size).toBe(0);
    expect(skipped(h.metrics, "unsupported")).toBe(2);
    expect(h.lines.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual([
      "not profiling pid 20 (python3 /srv/app20.py): free-threaded CPython 3.13t is not supported by py-spy 0.4",
    ]);
    h.r.reconcile([found(21, ft)]);
    expect(skipped(h.metrics, "unsupported")).toBe(1);
  });

  it("drops the sampler of a process that is gone unless its py-spy is still running, and forgets it", () => {
    const h = harness();
    h.r.reconcile([found(10), found(11), found(12)]);
    const [running, backoff, finished] = [...h.r.samplers.values()] as [FakeSampler, FakeSampler, FakeSampler];
    backoff.state = "backoff";
    finished.state = "finished";
    expect(skipped(h.metrics, "backoff")).toBe(0);
    h.r.reconcile([]);
    expect([...h.r.samplers.values()]).toEqual([running]);
    expect(h.forgotten).toEqual(["11:100", "12:100"]);
    expect(h.metrics.processesProfiled.get()).toBe(1);
  });

  it("counts samplers in backoff as skipped", () => {
    const h = harness();
    h.r.reconcile([found(10), found(11)]);
    (h.r.samplers.get("11:100") as FakeSampler).state = "backoff";
    h.r.reconcile([found(10), found(11)]);
    expect([h.metrics.processesProfiled.get(), skipped(h.metrics, "backoff")]).toEqual([1, 1]);
  });

  it("logs a scan that fails once, with the directory, and keeps the samplers it has", () => {
    const h = harness();
    h.next.scan = [found(10)];
    h.r.scan();
    h.next.scan = new Error("EACCES: permission denied, scandir '/host/proc'");
    h.r.scan();
    h.r.scan();
    expect(h.r.samplers.size).toBe(1);
    expect(h.lines.filter((l) => l.level === "error").map((l) => l.msg)).toEqual(["cannot scan /host/proc: EACCES: permission denied, scandir '/host/proc'"]);
  });
});
