/** Test data: batches in the store's write shape (and the wire's), built from "a;b;c" stacks. */
import { stacksFromList, type BatchInput, type ProfileInput, type FrameInput } from "@fleetprof/store";

export interface ProfileSpec {
  service: string;
  version: string;
  host?: string;
  pid?: number;
  thread?: string;
  mode?: string;
  labels?: Record<string, string>;
  /** Window start, unix ms. */
  timeMs: number;
  /** "module.fn;module.fn2" → count; frames get file `<first part>.py` and line 10. */
  stacks: Record<string, number>;
  captureId?: string;
}

export function profileInput(spec: ProfileSpec): ProfileInput {
  const strings: string[] = [];
  const str = (s: string): number => {
    let i = strings.indexOf(s);
    if (i === -1) {
      i = strings.length;
      strings.push(s);
    }
    return i;
  };
  const frames: FrameInput[] = [];
  /** `module:function` (file module.py) or `module.function` (file module.py, name kept). */
  const frameOf = (name: string): number => {
    const colon = name.indexOf(":");
    const fn = str(colon === -1 ? name : name.slice(colon + 1));
    const file = str(`${(colon === -1 ? name.split(".")[0] : name.slice(0, colon)) ?? name}.py`);
    let i = frames.findIndex((f) => f.function === fn && f.file === file);
    if (i === -1) {
      i = frames.length;
      frames.push({ function: fn, file, line: 10 });
    }
    return i;
  };
  const thread = str(spec.thread ?? "MainThread");
  return {
    pid: spec.pid ?? 1000,
    service: spec.service,
    version: spec.version,
    labels: spec.labels ?? {},
    mode: spec.mode ?? "cpu",
    windowStartUnixMs: spec.timeMs,
    captureId: spec.captureId ?? "",
    strings,
    frames,
    stacks: stacksFromList(Object.entries(spec.stacks).map(([path, count]) => ({ frameIds: path.split(";").map(frameOf), thread, count }))),
  };
}

let seq = 0;

export function batchOf(host: string, ...profiles: ProfileSpec[]): BatchInput {
  seq++;
  return { batchId: `test-${String(process.pid)}-${String(seq)}`, host, profiles: profiles.map((p) => profileInput({ host, ...p })) };
}
