// `tsx tools/replay/replay-maple-show.ts <trace> <op>`: the kernel's tree before and after op `op`
// and ours after it, node per line, for reading a divergence.
import { type MtStruct, mt_struct } from "@maplemm/maple-tree/kernel";
import { compareStruct, replayUntil } from "./replay-maple.js";
import { readMapleTrace } from "./replay-maple-file.js";

const [file, opArg] = process.argv.slice(2);
const trace = readMapleTrace(file as string);
const k = Number(opArg);
const show = (t: MtStruct) =>
  t.root === "node"
    ? t.nodes.map((n, i) => `${i}: ${JSON.stringify(n)}`).join("\n")
    : JSON.stringify(t);
const op = trace.ops[k];
if (op === undefined) throw new Error(`no op ${k}`);
console.log(`op ${k} ${op.op} ${JSON.stringify(op.args)}`);
if (k > 0) console.log(`--- kernel before\n${show((trace.ops[k - 1] as typeof op).tree)}`);
console.log(`--- kernel after\n${show(op.tree)}`);
const ours = mt_struct(replayUntil(trace, k));
console.log(`--- ours after\n${show(ours)}`);
console.log(compareStruct(op.tree, ours) ?? "same");
