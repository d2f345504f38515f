// Profiling driver of `pnpm bench:mm`: runs one model case of mm-workload.ts in a loop for a few
// seconds, to be run under `node --cpu-prof`; `--top file.cpuprofile` prints the profile's
// heaviest frames by self time (what the speed commits quote).
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof tools/dist/mm-profile.mjs mprotect_pair [seconds]
//   node tools/dist/mm-profile.mjs --top /tmp/prof/x.cpuprofile [n]
//   node tools/dist/mm-profile.mjs --inclusive /tmp/prof/x.cpuprofile [n]   (self + callees)

import { readFileSync } from "node:fs";
import type { MmStruct } from "@maplemm/mm";
import { buildWorkload, CASES } from "./mm-workload.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function frameName(node: ProfileNode): string {
  const f = node.callFrame;
  const where =
    f.url === "" ? "" : ` ${f.url.replace(/^.*\/(packages|tools)\//, "")}:${f.lineNumber + 1}`;
  return `${f.functionName || "(anonymous)"}${where}`;
}

/** Inclusive time per frame (a frame counted once per stack even when recursive). */
function inclusive(file: string, n: number): void {
  const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[] };
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const total = new Map<string, number>();
  let all = 0;
  const walk = (id: number, onStack: Set<string>): number => {
    const node = byId.get(id) as ProfileNode;
    const name = frameName(node);
    let hits = node.hitCount ?? 0;
    const fresh = !onStack.has(name);
    if (fresh) onStack.add(name);
    for (const c of node.children ?? []) hits += walk(c, onStack);
    if (fresh) {
      onStack.delete(name);
      total.set(name, (total.get(name) ?? 0) + hits);
    }
    return hits;
  };
  all = walk((prof.nodes[0] as ProfileNode).id, new Set());
  const rows = [...total].sort((a, b) => b[1] - a[1]).slice(0, n);
  for (const [k, h] of rows) console.log(`${((100 * h) / all).toFixed(1).padStart(5)}%  ${k}`);
}

function top(file: string, n: number): void {
  const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[] };
  const self = new Map<string, number>();
  let total = 0;
  for (const node of prof.nodes) {
    const f = node.callFrame;
    const where =
      f.url === "" ? "" : ` ${f.url.replace(/^.*\/(packages|tools)\//, "")}:${f.lineNumber + 1}`;
    const key = `${f.functionName || "(anonymous)"}${where}`;
    const hits = node.hitCount ?? 0;
    total += hits;
    self.set(key, (self.get(key) ?? 0) + hits);
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, n);
  for (const [k, h] of rows) console.log(`${((100 * h) / total).toFixed(1).padStart(5)}%  ${k}`);
}

function run(key: string, seconds: number): void {
  const c = CASES.find((x) => x.key === key);
  if (c === undefined) throw new Error(`unknown case ${key}; one of ${CASES.map((x) => x.key)}`);
  const w = buildWorkload();
  const until = Date.now() + seconds * 1000;
  let ops = 0;
  const t0 = process.hrtime.bigint();
  while (Date.now() < until) {
    const leftovers: MmStruct[] = [];
    c.model(w, c.iters[0], leftovers);
    for (const child of leftovers) child.mmput();
    ops += c.iters[0];
  }
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(`${key}: ${(ns / ops / 1000).toFixed(2)} µs/op (including putting children)`);
}

if (process.argv[2] === "--inclusive")
  inclusive(process.argv[3] as string, Number(process.argv[4] ?? 25));
else if (process.argv[2] === "--top") top(process.argv[3] as string, Number(process.argv[4] ?? 25));
else run(process.argv[2] as string, Number(process.argv[3] ?? 5));
