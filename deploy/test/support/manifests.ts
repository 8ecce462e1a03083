/**
 * Reads the deploy manifests (Kubernetes, compose, systemd) and lists every option they set
 * for a fleetprof component: environment variables and command-line flags, with where.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const DEPLOY_DIR = fileURLToPath(new URL("../../", import.meta.url));
export const REPO_DIR = join(DEPLOY_DIR, "..");

export type Component = "agent" | "collector" | "query-api";
export const COMPONENTS: readonly Component[] = ["agent", "collector", "query-api"];

export interface Setting {
  /** File, relative to deploy/. */
  file: string;
  /** Which object in it (container, service, unit). */
  where: string;
  component: Component;
  kind: "env" | "flag";
  /** Environment variable name, or flag name without `--`. */
  name: string;
  /** Literal value; undefined when it comes from a Secret or the downward API. */
  value: string | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);

export function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

/** Every document of a YAML file, parsed (YAML merge keys resolved, as compose does). */
export function readYamlDocuments(path: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, "utf8"), { merge: true });
  const all = Array.isArray(docs) ? docs : [docs];
  return all.map((d) => {
    if (d.errors.length > 0) throw new Error(`${path}: ${d.errors.map((e) => e.message).join("; ")}`);
    return d.toJS() as unknown;
  });
}

/** Flags in an argument list: `--name value`, `--name=value`, `--flag`. */
function flagsOf(args: readonly string[]): { name: string; value: string | undefined }[] {
  const out: { name: string; value: string | undefined }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq !== -1) out.push({ name: a.slice(2, eq), value: a.slice(eq + 1) });
    else {
      const next = args[i + 1];
      const value = next !== undefined && !next.startsWith("--") ? next : undefined;
      out.push({ name: a.slice(2), value });
      if (value !== undefined) i++;
    }
  }
  return out;
}

/** Which component an image + first argument runs, if any. */
function componentOf(image: string, args: readonly string[]): Component | undefined {
  if (/fleetprof[-/]agent/.test(image)) return "agent";
  if (/fleetprof[-/]server/.test(image)) {
    const sub = args[0];
    return sub === "collector" || sub === "query-api" || sub === "agent" ? sub : undefined;
  }
  return undefined;
}

export interface K8sContainer {
  file: string;
  kind: string;
  name: string;
  pod: Obj;
  container: Obj;
  component: Component | undefined;
}

/** Every container of every workload in deploy/k8s. */
export function k8sContainers(): K8sContainer[] {
  const out: K8sContainer[] = [];
  for (const path of filesUnder(join(DEPLOY_DIR, "k8s"), ".yaml")) {
    const file = relative(DEPLOY_DIR, path);
    if (file.endsWith("nats-values.yaml") || file.endsWith("kustomization.yaml")) continue;
    for (const doc of readYamlDocuments(path)) {
      if (!isObj(doc)) continue;
      const spec = isObj(doc["spec"]) ? doc["spec"] : {};
      const template = isObj(spec["template"]) ? spec["template"] : undefined;
      const pod = template !== undefined && isObj(template["spec"]) ? template["spec"] : undefined;
      if (pod === undefined) continue;
      const meta = isObj(doc["metadata"]) ? doc["metadata"] : {};
      for (const c of [...asArray(pod["initContainers"]), ...asArray(pod["containers"])]) {
        if (!isObj(c)) continue;
        const args = asArray(c["args"]).map(String);
        out.push({
          file,
          kind: String(doc["kind"]),
          name: `${String(doc["kind"])}/${String(meta["name"])}:${String(c["name"])}`,
          pod,
          container: c,
          component: componentOf(str(c["image"]) ?? "", args),
        });
      }
    }
  }
  return out;
}

function k8sSettings(): Setting[] {
  const out: Setting[] = [];
  for (const c of k8sContainers()) {
    if (c.component === undefined) continue;
    for (const e of asArray(c.container["env"])) {
      if (!isObj(e)) continue;
      out.push({ file: c.file, where: c.name, component: c.component, kind: "env", name: String(e["name"]), value: str(e["value"]) });
    }
    for (const f of flagsOf(asArray(c.container["args"]).map(String).slice(1))) {
      out.push({ file: c.file, where: c.name, component: c.component, kind: "flag", name: f.name, value: f.value });
    }
  }
  return out;
}

export const COMPOSE_FILE = join(DEPLOY_DIR, "compose", "compose.yaml");

export function composeServices(): Record<string, Obj> {
  const [doc] = readYamlDocuments(COMPOSE_FILE);
  if (!isObj(doc) || !isObj(doc["services"])) throw new Error("compose.yaml has no services");
  return doc["services"] as Record<string, Obj>;
}

function composeSettings(): Setting[] {
  const out: Setting[] = [];
  for (const [name, svc] of Object.entries(composeServices())) {
    const command = asArray(svc["command"]).map(String);
    const component = componentOf(str(svc["image"]) ?? "", command);
    if (component === undefined) continue;
    const env = svc["environment"];
    const entries: [string, string | undefined][] = Array.isArray(env)
      ? env.map((e) => {
          const [k, ...v] = String(e).split("=");
          return [k as string, v.length > 0 ? v.join("=") : undefined];
        })
      : isObj(env)
        ? Object.entries(env).map(([k, v]) => [k, str(v)])
        : [];
    for (const [k, v] of entries) out.push({ file: "compose/compose.yaml", where: `service ${name}`, component, kind: "env", name: k, value: v });
    for (const f of flagsOf(command.slice(component === "agent" ? 0 : 1))) {
      out.push({ file: "compose/compose.yaml", where: `service ${name}`, component, kind: "flag", name: f.name, value: f.value });
    }
  }
  return out;
}

/** `Key=Value` lines of a unit section or an environment file (comments and blanks skipped). */
export function keyValues(text: string): [string, string][] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith(";") && !l.startsWith("["))
    .map((l) => {
      const eq = l.indexOf("=");
      return [l.slice(0, eq), l.slice(eq + 1)] as [string, string];
    });
}

function systemdSettings(): Setting[] {
  const out: Setting[] = [];
  const dir = join(DEPLOY_DIR, "systemd");
  for (const path of filesUnder(dir, ".service")) {
    const unit = keyValues(readFileSync(path, "utf8"));
    const exec = unit.find(([k]) => k === "ExecStart")?.[1] ?? "";
    const m = /\/fleetprof\s+(agent|collector|query-api)\b(.*)$/.exec(exec);
    if (m === null) continue;
    const component = m[1] as Component;
    const file = relative(DEPLOY_DIR, path);
    for (const f of flagsOf((m[2] ?? "").trim().split(/\s+/).filter(Boolean))) {
      out.push({ file, where: "ExecStart", component, kind: "flag", name: f.name, value: f.value });
    }
    for (const [k, v] of unit) {
      if (k === "Environment") {
        const [name, ...rest] = v.replace(/^"|"$/g, "").split("=");
        out.push({ file, where: "Environment=", component, kind: "env", name: name as string, value: rest.join("=") });
      }
      if (k === "EnvironmentFile") {
        const envFile = join(dir, v.replace(/^-/, "").replace(/^.*\//, ""));
        for (const [name, value] of keyValues(readFileSync(envFile, "utf8"))) {
          out.push({ file: relative(DEPLOY_DIR, envFile), where: `EnvironmentFile of ${file}`, component, kind: "env", name, value });
        }
      }
    }
  }
  return out;
}

/** Every option setting of every fleetprof component in every manifest. */
export function allSettings(): Setting[] {
  return [...k8sSettings(), ...composeSettings(), ...systemdSettings()];
}
