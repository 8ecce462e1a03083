/**
 * What can be checked here of the manifests that cannot run here (no Docker engine, no
 * Kubernetes): they parse; every flag and environment variable they give a fleetprof
 * component is an option of that component's real schema, with a value it accepts; build
 * contexts, Dockerfile targets and mounted paths exist; the agent keeps only the privileges it
 * needs; the stream definitions and permissions agree with the code and with deploy/nats.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { agentOptions } from "@fleetprof/agent";
import { collectorOptions } from "@fleetprof/collector";
import { dlqStreamConfig, envName, errorMessage, loadConfig, type OptionSchema, samplesStreamConfig } from "@fleetprof/common";
import { samplesSubject, subjectToken } from "@fleetprof/proto";
import { queryApiOptions } from "@fleetprof/query-api";
import { freePort, spawnTracked, tempDir } from "@fleetprof/test";
import {
  allSettings,
  COMPONENTS,
  COMPOSE_FILE,
  composeServices,
  DEPLOY_DIR,
  filesUnder,
  k8sContainers,
  readYamlDocuments,
  REPO_DIR,
  type Component,
  type Setting,
} from "./support/manifests.js";

const SCHEMAS: Record<Component, OptionSchema> = { agent: agentOptions, collector: collectorOptions, "query-api": queryApiOptions };
/** Read by the config loader itself (`--config FILE`), not an option of the schema. */
const LOADER_ENV = new Set(["FLEETPROF_CONFIG"]);
/** Read by the Node.js runtime; checked by starting node with the value. */
const RUNTIME_ENV = new Set(["NODE_OPTIONS"]);
const deployFile = (p: string): string => readFileSync(join(DEPLOY_DIR, p), "utf8");
const where = (s: Setting): string => `${s.file} (${s.where}): ${s.kind === "env" ? s.name : `--${s.name}`}`;

function problemsOf(s: Setting): string | undefined {
  const schema = SCHEMAS[s.component];
  if (s.kind === "env") {
    if (LOADER_ENV.has(s.name)) return undefined;
    if (RUNTIME_ENV.has(s.name)) {
      const run = spawnSync(process.execPath, ["-e", "0"], { env: { ...process.env, [s.name]: s.value ?? "" }, encoding: "utf8" });
      return run.status === 0 ? undefined : `${where(s)}: node refuses it: ${run.stderr.trim()}`;
    }
    const option = Object.keys(schema).find((o) => envName(o) === s.name);
    if (option === undefined) return `${where(s)} is no option of the ${s.component}`;
    return undefined;
  }
  if (s.name === "config") return undefined;
  const name = s.name.startsWith("no-") && schema[s.name.slice(3)]?.type === "boolean" ? s.name.slice(3) : s.name;
  return schema[name] === undefined ? `${where(s)} is no option of the ${s.component}` : undefined;
}

describe("manifests against the configuration schemas", () => {
  const settings = allSettings();

  it("find settings for every component in Kubernetes, compose and systemd", () => {
    for (const component of COMPONENTS) {
      for (const prefix of ["k8s/", "compose/", "systemd/"]) {
        const n = settings.filter((s) => s.component === component && s.file.startsWith(prefix)).length;
        expect(n, `${prefix} settings for the ${component}`).toBeGreaterThan(0);
      }
    }
  });

  it("set only flags and environment variables that exist in the component's options", () => {
    const problems = settings.map(problemsOf).filter((p): p is string => p !== undefined);
    expect(problems).toEqual([]);
  });

  it("give values the component's configuration loader accepts", () => {
    const groups = new Map<string, Setting[]>();
    for (const s of settings) {
      const key = `${s.file}|${s.where}|${s.component}`;
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    const failures: string[] = [];
    for (const [key, group] of groups) {
      const component = (group[0] as Setting).component;
      const env: Record<string, string> = {};
      const argv: string[] = [];
      for (const s of group) {
        if (s.value === undefined || LOADER_ENV.has(s.name) || RUNTIME_ENV.has(s.name)) continue; // from a Secret or the downward API; not options
        if (s.kind === "env") env[s.name] = s.value;
        else argv.push(`--${s.name}`, s.value);
      }
      try {
        loadConfig(SCHEMAS[component], { argv, env });
      } catch (err) {
        failures.push(`${key}: ${errorMessage(err)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("container images", () => {
  const dockerfile = deployFile("docker/Dockerfile");
  const targets = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);

  it("have agent and server targets, and copy only paths that exist", () => {
    expect(targets).toEqual(expect.arrayContaining(["agent", "server"]));
    const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(?:--\S+\s+)*(.+?)\s+\S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/));
    expect(sources.length).toBeGreaterThan(10);
    const missing = sources.filter((src) => src !== "." && !existsSync(join(REPO_DIR, src)));
    expect(missing).toEqual([]);
  });

  it("install from every workspace's package.json (npm ci needs them all)", () => {
    const root = JSON.parse(readFileSync(join(REPO_DIR, "package.json"), "utf8")) as { workspaces: string[] };
    for (const ws of root.workspaces) expect(dockerfile, `COPY ${ws}/package.json`).toMatch(new RegExp(`^COPY ${ws}/package\\.json ${ws}/$`, "m"));
  });

  it("leave chDB, the ClickHouse client and gRPC out of the agent image", () => {
    // The agent stage installs `npm ci --omit=dev --workspace=@fleetprof/agent`: the agent's
    // production dependency closure in package-lock.json.
    const lock = JSON.parse(readFileSync(join(REPO_DIR, "package-lock.json"), "utf8")) as {
      packages: Record<
        string,
        { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; link?: boolean; resolved?: string; dev?: boolean }
      >;
    };
    const locate = (from: string, dep: string): string | undefined => {
      for (let base = from; ;) {
        const candidate = base === "" ? `node_modules/${dep}` : `${base}/node_modules/${dep}`;
        if (lock.packages[candidate] !== undefined) return candidate;
        if (base === "") return undefined;
        const i = base.lastIndexOf("/node_modules/");
        base = i === -1 ? "" : base.slice(0, i);
      }
    };
    const seen = new Set<string>();
    const visit = (path: string): void => {
      if (seen.has(path)) return;
      seen.add(path);
      const entry = lock.packages[path];
      if (entry === undefined) return;
      if (entry.link === true && entry.resolved !== undefined) return visit(entry.resolved);
      for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
        const found = locate(path.startsWith("node_modules/") || path.includes("/node_modules/") ? path : "", dep);
        if (found !== undefined) visit(found);
      }
    };
    visit("agent");
    const names = [...seen].map((p) => p.replace(/^.*node_modules\//, ""));
    expect(names).toContain("@nats-io/jetstream");
    for (const heavy of ["chdb", "@clickhouse/client", "@grpc/grpc-js"]) expect(names).not.toContain(heavy);
  });

  it("are the ones compose builds, from the repository root", () => {
    for (const [name, svc] of Object.entries(composeServices())) {
      const build = svc["build"] as { context: string; dockerfile: string; target: string } | undefined;
      if (build === undefined) continue;
      const context = resolve(join(DEPLOY_DIR, "compose"), build.context);
      expect(context, `${name} build context`).toBe(resolve(REPO_DIR));
      expect(existsSync(join(context, build.dockerfile)), `${name} dockerfile`).toBe(true);
      expect(targets, `${name} target`).toContain(build.target);
    }
    for (const [name, svc] of Object.entries(composeServices())) {
      for (const v of (svc["volumes"] as string[] | undefined) ?? []) {
        const host = v.split(":")[0] as string;
        if (host.startsWith(".")) expect(existsSync(resolve(join(DEPLOY_DIR, "compose"), host)), `${name} mounts ${host}`).toBe(true);
      }
    }
  });
});

describe("the agent's privileges", () => {
  it("Kubernetes: hostPID, SYS_PTRACE only, read-only root, resources, node name as host", () => {
    const agents = k8sContainers().filter((c) => c.component === "agent");
    expect(agents).toHaveLength(1);
    const { pod, container } = agents[0] as (typeof agents)[number];
    expect(pod["hostPID"]).toBe(true);
    const sc = container["securityContext"] as Record<string, unknown>;
    expect(sc["capabilities"]).toEqual({ drop: ["ALL"], add: ["SYS_PTRACE"] });
    expect(sc["readOnlyRootFilesystem"]).toBe(true);
    expect(sc["allowPrivilegeEscalation"]).toBe(false);
    expect(sc["privileged"]).not.toBe(true);
    const res = container["resources"] as { requests?: Record<string, string>; limits?: Record<string, string> };
    expect(Object.keys(res.requests ?? {}).sort()).toEqual(["cpu", "memory"]);
    expect(Object.keys(res.limits ?? {}).sort()).toEqual(["cpu", "memory"]);
    const env = container["env"] as { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
    expect(env.find((e) => e.name === envName("host"))?.valueFrom?.fieldRef?.fieldPath).toBe("spec.nodeName");
  });

  it("compose: host PID namespace, SYS_PTRACE only, read-only root", () => {
    const agent = composeServices()["agent"] as Record<string, unknown>;
    expect(agent["pid"]).toBe("host");
    expect(agent["cap_drop"]).toEqual(["ALL"]);
    expect(agent["cap_add"]).toEqual(["SYS_PTRACE"]);
    expect(agent["read_only"]).toBe(true);
    expect(agent["privileged"]).toBeUndefined();
  });

  it("systemd: ptrace is the only capability and the only extra system call group", () => {
    const unit = deployFile("systemd/fleetprof-agent.service");
    expect(unit).toMatch(/^CapabilityBoundingSet=CAP_SYS_PTRACE$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^SystemCallFilter=@system-service @debug$/m);
    expect(unit).not.toMatch(/^PrivateUsers=yes/m);
  });

  const hasSystemdAnalyze = ((): boolean => {
    try {
      execFileSync("systemd-analyze", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasSystemdAnalyze)("systemd units pass `systemd-analyze verify`", () => {
    const dir = tempDir("fleetprof-units-");
    const units = filesUnder(join(DEPLOY_DIR, "systemd"), ".service").map((path) => {
      const name = path.replace(/^.*\//, "");
      // the binaries are not installed here: point ExecStart at one that is, keep the rest
      writeFileSync(join(dir, name), readFileSync(path, "utf8").replace(/^ExecStart=\S+/m, "ExecStart=/bin/true"));
      return join(dir, name);
    });
    const run = spawnSync("systemd-analyze", ["verify", ...units], { encoding: "utf8" });
    const output = `${run.stdout}${run.stderr}`;
    // ignore complaints about units of the host itself, keep those about ours
    const ours = output.split("\n").filter((l) => /fleetprof-|nats-server\.service/.test(l));
    expect(ours).toEqual([]);
  });
});

describe("NATS setup agrees with the code and with deploy/nats", () => {
  it("the streams job creates exactly the code's stream definitions with three replicas", () => {
    const docs = readYamlDocuments(join(DEPLOY_DIR, "k8s/streams-job.yaml"));
    const cm = docs.find((d) => (d as { kind?: string }).kind === "ConfigMap") as { data: Record<string, string> };
    expect(JSON.parse(cm.data["FLEETPROF.json"] ?? "null")).toEqual(samplesStreamConfig({ replicas: 3 }));
    expect(JSON.parse(cm.data["FLEETPROF_DLQ.json"] ?? "null")).toEqual(dlqStreamConfig({ replicas: 3 }));
  });

  it("the Helm values give collector and query API the permissions of auth.conf", () => {
    const auth = deployFile("nats/auth.conf");
    const block = (name: string, dir: "publish" | "subscribe"): string[] => {
      const body = new RegExp(`^${name} = \\{([\\s\\S]*?)^\\}`, "m").exec(auth)?.[1] ?? "";
      const part = new RegExp(`${dir}: \\{[^\\[]*\\[([\\s\\S]*?)\\]`).exec(body)?.[1] ?? "";
      return [...part.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
    };
    const values = parse(deployFile("k8s/nats-values.yaml")) as {
      config: {
        cluster: { enabled: boolean; replicas: number };
        jetstream: { enabled: boolean };
        merge: { authorization: { users: { user: string; permissions?: { publish: { allow: string[] }; subscribe: { allow: string[] } } }[] } };
      };
    };
    expect(values.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(values.config.jetstream.enabled).toBe(true);
    const users = new Map(values.config.merge.authorization.users.map((u) => [u.user, u]));
    for (const [user, varName] of [
      ["collector", "COLLECTOR"],
      ["query-api", "QUERY_API"],
    ] as const) {
      expect(block(varName, "publish").length).toBeGreaterThan(0);
      expect(users.get(user)?.permissions?.publish.allow).toEqual(block(varName, "publish"));
      expect(users.get(user)?.permissions?.subscribe.allow).toEqual(block(varName, "subscribe"));
    }
  });

  it("agent-user.sh prints the agent entries of auth.conf, with hosts sanitised as subjects are", () => {
    const script = join(DEPLOY_DIR, "nats/agent-user.sh");
    const auth = deployFile("nats/auth.conf");
    for (const host of ["web-1", "web-2"]) expect(auth).toContain(execFileSync("sh", [script, host], { encoding: "utf8" }));
    const host = "web-7.example.com/ä";
    const entry = execFileSync("sh", [script, host], { encoding: "utf8" });
    expect(entry).toContain(`"${samplesSubject("*", host).replace("fleetprof.samples._", "fleetprof.samples.*")}"`);
    expect(entry).toContain(`user: agent-${subjectToken(host)}`);
  });

  it("kustomization lists files that exist", () => {
    const k = parse(deployFile("k8s/kustomization.yaml")) as { resources: string[] };
    for (const r of k.resources) expect(existsSync(join(DEPLOY_DIR, "k8s", r)), r).toBe(true);
  });

  const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
  it.skipIf(!hasKubectl)("kustomization builds with `kubectl kustomize` (offline)", () => {
    const out = execFileSync("kubectl", ["kustomize", join(DEPLOY_DIR, "k8s")], { encoding: "utf8" });
    const kinds = [...out.matchAll(/^kind: (\S+)$/gm)].map((m) => m[1]);
    expect(kinds).toEqual(
      expect.arrayContaining(["Namespace", "DaemonSet", "Deployment", "Service", "Job", "ConfigMap", "PodDisruptionBudget", "ClickHouseInstallation"]),
    );
    expect(out).toContain("image: registry.example.com/fleetprof/agent:0.1.0");
  });

  it("compose's nats command starts a real nats-server whose JetStream health check passes", async () => {
    const nats = composeServices()["nats"] as { command: string[]; healthcheck: { test: string[] } };
    const port = await freePort();
    const monitor = await freePort();
    // the container's paths and ports, moved to a temp dir and free loopback ports
    const args = nats.command.map((a) => (a === "/data" ? tempDir("fleetprof-compose-nats-") : a === "8222" ? String(monitor) : a));
    const server = spawnTracked("nats-server", [...args, "--addr", "127.0.0.1", "--port", String(port)]);
    await server.waitFor(/Server is ready/, 20_000);
    const url = (nats.healthcheck.test.at(-1) as string).replace("127.0.0.1:8222", `127.0.0.1:${String(monitor)}`);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    await server.stop();
  });

  it("compose file parses with its merge keys", () => {
    expect(Object.keys(composeServices())).toEqual(expect.arrayContaining(["nats", "clickhouse", "collector", "query-api", "agent"]));
    expect(readYamlDocuments(COMPOSE_FILE)).toHaveLength(1);
  });
});
