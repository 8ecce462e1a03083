/**
 * The labels of a profiled process, following conventions users already have, in order of
 * precedence: FLEETPROF_SERVICE / FLEETPROF_VERSION / FLEETPROF_LABELS, then OpenTelemetry
 * (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), then Datadog (DD_SERVICE, DD_VERSION,
 * DD_ENV, DD_TAGS); otherwise a service derived from the command line and version `unknown`.
 * Bounded: at most `maxLabels` extra labels, keys and values cut to fixed lengths, and every
 * label dropped or cut is counted.
 */
import { serviceFromCommandLine } from "./service-name.js";

export const MAX_SERVICE_LENGTH = 128;
export const MAX_LABEL_KEY_LENGTH = 64;
export const MAX_LABEL_VALUE_LENGTH = 256;
export const UNKNOWN_VERSION = "unknown";

export interface LabelInput {
  /** /proc/PID/environ, undefined when it could not be read. */
  environ: Readonly<Record<string, string>> | undefined;
  cmdline: readonly string[];
  cwd?: string | undefined;
  pythonVersion?: string | undefined;
  containerId?: string | undefined;
  maxLabels: number;
}

export interface ProcessLabels {
  service: string;
  version: string;
  labels: Record<string, string>;
  /** Labels dropped or cut to stay within the bounds. */
  truncated: number;
}

/** `k1=v1,k2=v2` with %-encoded values (the W3C baggage form OTEL uses). */
export function parseResourceAttributes(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (text === undefined) return out;
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep it as written
    }
    if (key !== "") out.set(key, value);
  }
  return out;
}

/** `team:x,region:y` or `team:x region:y` (Datadog tags). */
function parseDdTags(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (text === undefined) return out;
  for (const tag of text.split(/[,\s]+/)) {
    const colon = tag.indexOf(":");
    if (colon > 0) out.set(tag.slice(0, colon), tag.slice(colon + 1));
  }
  return out;
}

/** Label keys as Prometheus-style selectors can name them: `deployment.environment` → `deployment_environment`. */
export function labelKey(key: string): string {
  const k = key.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(k) ? `_${k}` : k;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === "" ? undefined : v.trim());

/** Keys of OTEL resource attributes that become service/version/env rather than labels. */
const OTEL_CORE = new Set(["service.name", "service.version", "deployment.environment", "deployment.environment.name"]);
/** Labels the agent sets itself; users cannot override them. */
const RESERVED = new Set(["service", "version", "host", "pid", "mode", "thread"]);

export function deriveLabels(input: LabelInput): ProcessLabels {
  const env = input.environ ?? {};
  const otel = parseResourceAttributes(env["OTEL_RESOURCE_ATTRIBUTES"]);
  const dd = parseDdTags(env["DD_TAGS"]);
  let truncated = 0;
  const cut = (value: string, max: number): string => {
    if (value.length <= max) return value;
    truncated++;
    return value.slice(0, max);
  };
  const service = cut(
    nonEmpty(env["FLEETPROF_SERVICE"]) ??
      nonEmpty(env["OTEL_SERVICE_NAME"]) ??
      nonEmpty(otel.get("service.name")) ??
      nonEmpty(env["DD_SERVICE"]) ??
      nonEmpty(dd.get("service")) ??
      serviceFromCommandLine(input.cmdline, input.cwd),
    MAX_SERVICE_LENGTH,
  );
  const version = cut(
    nonEmpty(env["FLEETPROF_VERSION"]) ??
      nonEmpty(otel.get("service.version")) ??
      nonEmpty(env["DD_VERSION"]) ??
      nonEmpty(dd.get("version")) ??
      UNKNOWN_VERSION,
    MAX_SERVICE_LENGTH,
  );

  // Candidates in order of importance; the first maxLabels distinct keys win.
  const candidates: [string, string | undefined][] = [
    ["python", input.pythonVersion],
    ["container_id", input.containerId],
    [
      "env",
      nonEmpty(otel.get("deployment.environment.name")) ?? nonEmpty(otel.get("deployment.environment")) ?? nonEmpty(env["DD_ENV"]) ?? nonEmpty(dd.get("env")),
    ],
  ];
  for (const [k, v] of parseResourceAttributes(env["FLEETPROF_LABELS"])) candidates.push([k, v]);
  for (const [k, v] of otel) if (!OTEL_CORE.has(k)) candidates.push([k, v]);
  for (const [k, v] of dd) if (k !== "service" && k !== "version" && k !== "env") candidates.push([k, v]);

  const labels: Record<string, string> = {};
  let count = 0;
  for (const [rawKey, rawValue] of candidates) {
    if (rawValue === undefined || rawValue === "") continue;
    const key = cut(labelKey(rawKey), MAX_LABEL_KEY_LENGTH);
    if (RESERVED.has(key) || key in labels) continue;
    if (count >= input.maxLabels) {
      truncated++;
      continue;
    }
    labels[key] = cut(rawValue, MAX_LABEL_VALUE_LENGTH);
    count++;
  }
  return { service, version, labels, truncated };
}
