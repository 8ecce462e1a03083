/**
 * Selector shorthand. The query API takes Prometheus-style selectors
 * (`{service="api", version=~"1\\.5.*"}`); people mostly want one service, so:
 *
 * - `{...}`            passed through unchanged
 * - `api`              → `{service="api"}`
 * - `api@1.5`          → `{service="api", version="1.5"}`
 * - `api{host!="h3"}`  → `{service="api", host!="h3"}`
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function expandSelector(text: string): string {
  const s = text.trim();
  if (s.startsWith("{")) return s;
  const braced = /^([^{}@]+)\{(.*)\}$/s.exec(s);
  if (braced !== null) {
    const name = (braced[1] as string).trim();
    const inner = (braced[2] as string).trim();
    checkName(name, text);
    return inner === "" ? `{service=${quote(name)}}` : `{service=${quote(name)}, ${inner}}`;
  }
  const at = s.indexOf("@");
  if (at > 0) {
    const name = s.slice(0, at);
    const version = s.slice(at + 1);
    checkName(name, text);
    if (version === "") throw bad(text, "a version after @");
    return `{service=${quote(name)}, version=${quote(version)}}`;
  }
  checkName(s, text);
  return `{service=${quote(s)}}`;
}

function checkName(name: string, text: string): void {
  if (!NAME.test(name)) throw bad(text, 'a service name (letters, digits, _ . : -) or a {label="value"} selector');
}

function bad(text: string, expected: string): FleetprofError {
  return new FleetprofError(ErrorCode.InvalidArgument, `selector "${text}": expected ${expected}, e.g. api, api@1.5 or {service="api", version=~"1\\\\.5.*"}`);
}
