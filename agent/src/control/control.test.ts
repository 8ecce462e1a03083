import { create } from "@bufbuild/protobuf";
import { CaptureReply_Status, CaptureRequestSchema, ProfileMode } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { planCapture, type CaptureLimits } from "./capture.js";
import { dumpArgs, mapLimited, parseDumpJson } from "./dump.js";

const limits: CaptureLimits = { maxDurationMs: 60_000, maxRateHz: 1000, maxConcurrent: 2 };
const req = (init: Parameters<typeof create<typeof CaptureRequestSchema>>[1]) =>
  create(CaptureRequestSchema, { captureId: "c1", pid: 42, durationMs: 3000, ...init });

describe("planCapture", () => {
  it("fills the defaults: 100 Hz, cpu mode, nonblocking", () => {
    expect(planCapture(req({}), limits)).toEqual({ captureId: "c1", pid: 42, rateHz: 100, durationMs: 3000, mode: "cpu", native: false, nonblocking: true });
    expect(planCapture(req({ mode: ProfileMode.WALL, rateHz: 500 }), limits)).toMatchObject({ mode: "wall", rateHz: 500 });
  });

  it("runs native captures blocking unless told nonblocking, which it refuses", () => {
    expect(planCapture(req({ native: true }), limits)).toMatchObject({ native: true, nonblocking: false });
    expect(planCapture(req({ native: true, nonblocking: false }), limits)).toMatchObject({ native: true, nonblocking: false });
    expect(planCapture(req({ native: false, nonblocking: false }), limits)).toMatchObject({ nonblocking: false });
    const refused = planCapture(req({ native: true, nonblocking: true }), limits);
    expect(refused).toMatchObject({
      status: CaptureReply_Status.FAILED,
      message: expect.stringMatching(/py-spy reads native stacks only while the process is paused/) as unknown,
    });
  });

  it("refuses what is over the limits, naming the limit", () => {
    expect(planCapture(req({ durationMs: 61_000 }), limits)).toMatchObject({
      status: CaptureReply_Status.FAILED,
      message: expect.stringContaining("limit of 60s (capture-max-duration)") as unknown,
    });
    expect(planCapture(req({ durationMs: 0 }), limits)).toMatchObject({
      status: CaptureReply_Status.FAILED,
      message: expect.stringContaining("duration_ms is required") as unknown,
    });
    expect(planCapture(req({ rateHz: 1001 }), limits)).toMatchObject({
      status: CaptureReply_Status.FAILED,
      message: expect.stringContaining("limit of 1000 Hz (capture-max-rate)") as unknown,
    });
    expect(planCapture(req({ captureId: "" }), limits)).toMatchObject({ status: CaptureReply_Status.FAILED });
    expect(planCapture(req({ mode: 99 as ProfileMode }), limits)).toMatchObject({ status: CaptureReply_Status.FAILED });
  });
});

describe("dump", () => {
  it("parses py-spy's JSON and turns the frames root first", () => {
    const json = JSON.stringify([
      {
        pid: 7,
        thread_id: 140627591965568,
        thread_name: "MainThread",
        os_thread_id: 7,
        active: false,
        owns_gil: false,
        frames: [
          { name: "wait_for_lock", filename: "/w/blocked.py", short_filename: "blocked.py", line: 24, locals: null },
          { name: "main", filename: "/w/blocked.py", line: 33 },
          { name: "<module>", filename: "/w/blocked.py", line: 38 },
        ],
      },
      { thread_name: "busy", os_thread_id: 8, active: true, owns_gil: true, frames: [] },
    ]);
    expect(parseDumpJson(json)).toEqual([
      {
        threadId: 7n,
        name: "MainThread",
        active: false,
        ownsGil: false,
        frames: [
          { function: "<module>", file: "/w/blocked.py", line: 38 },
          { function: "main", file: "/w/blocked.py", line: 33 },
          { function: "wait_for_lock", file: "/w/blocked.py", line: 24 },
        ],
      },
      { threadId: 8n, name: "busy", active: true, ownsGil: true, frames: [] },
    ]);
    expect(() => parseDumpJson("{}")).toThrow(/array/);
  });

  it("reads without pausing unless native frames are asked for", () => {
    expect(dumpArgs({ pid: 5, native: false })).toEqual(["dump", "--json", "--pid", "5", "--nonblocking"]);
    expect(dumpArgs({ pid: 5, native: true })).toEqual(["dump", "--json", "--pid", "5", "--native"]);
  });

  it("runs at most `limit` at a time and keeps the order", async () => {
    let now = 0;
    let peak = 0;
    const out = await mapLimited([1, 2, 3, 4, 5], 2, async (n) => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 5 * (6 - n)));
      now--;
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
  });
});
