// The replayer itself: it reads traces, reports the first divergence with both sides when the
// model disagrees, and counts ops. A doctored trace (a wrong return value, a wrong map) must be
// caught — otherwise the corpus test could not fail.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDivergence, replayTrace } from "../replay/replay.js";
import { hexArg, hexNum, parseTrace } from "../replay/trace.js";

const scenario = join(
  import.meta.dirname,
  "..",
  "oracle",
  "traces",
  "scenarios",
  "merge_adjacent.jsonl",
);
const text = readFileSync(scenario, "utf8");

function doctor(edit: (rec: Record<string, unknown>) => void, opIndex: number): string {
  return text
    .split("\n")
    .map((line) => {
      if (line === "") return line;
      const rec = JSON.parse(line) as Record<string, unknown>;
      if (rec.type === "op" && rec.i === opIndex) {
        edit(rec);
        return JSON.stringify(rec);
      }
      return line;
    })
    .join("\n");
}

describe("the replayer", () => {
  it("agrees on an untouched scenario and counts its ops", () => {
    const r = replayTrace(parseTrace(text, "merge_adjacent"));
    expect(r.divergence).toBeNull();
    expect(r.ops).toBe(16);
    expect(r.agreed).toBe(16);
  });

  it("reports a doctored return value at the right op with both sides", () => {
    const bad = doctor((rec) => {
      rec.ret = "0x7e0000999000";
    }, 3);
    const r = replayTrace(parseTrace(bad, "doctored"));
    expect(r.divergence).toMatchObject({
      where: "op #3 mmap",
      what: "ret",
      expected: "0x7e0000999000",
    });
    expect(formatDivergence(r)).toContain("kernel: 0x7e0000999000");
  });

  it("reports a doctored map row (a VmFlag dropped) as a maps divergence", () => {
    const bad = doctor((rec) => {
      const maps = rec.maps as string[][];
      (maps[0] as string[])[7] = "rd wr mr mw me";
    }, 5);
    const r = replayTrace(parseTrace(bad, "doctored"));
    expect(r.divergence?.what).toBe("maps");
    expect(r.divergence?.expected).toContain("[rd wr mr mw me]");
    expect(r.divergence?.actual).toContain("[rd wr mr mw me ac]");
  });

  it("rejects text that is not a trace", () => {
    expect(() => parseTrace("{}\n", "x")).toThrow(/unknown record type/);
    expect(() => parseTrace('{"type":"op"}\n', "x")).toThrow(/no header/);
  });

  it("keeps u64 arguments above 2^53 exact as bigints", () => {
    expect(hexArg("0xfffffffffffff000")).toBe(0xfffffffffffff000n);
    expect(hexArg("0x1000")).toBe(4096);
    expect(hexNum("0x7e0000000000")).toBe(0x7e0000000000);
  });
});
