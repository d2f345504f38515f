// Write workloads of docs/spec/perf-targets.md (random build, overwrite covering 6, random erase;
// 1e5 ranges) on the built dist/ against sorted-btree, in one process: a quick look, 7 passes of
// each side back to back, medians with the range printed. The interleaved, checksummed rows are
// `ONLY=random-build,overwrite,random-erase pnpm bench:peers`. Data and the peer come from
// @maplemm/bench-kit (run `pnpm build` first: this reads both packages' dist/).
// Run: node packages/maple-tree/bench/write-peers.mjs
import { median } from "@maplemm/bench-kit/harness";
import {
  makeData,
  overwriteTargets,
  SortedBtreeRangeMap,
  shuffle,
} from "@maplemm/bench-kit/workloads";
import { MapleTree } from "../dist/index.js";

const N = 1e5;
const d = makeData();
const order = shuffle(d, N);
const erase = order.slice(0, 20000);
const over = overwriteTargets(d, N, 4000);
const buildMaple = () => {
  const t = new MapleTree();
  for (const i of order) t.setRange(d.S[i], d.L[i], i + 1);
  return t;
};
const buildSb = () => SortedBtreeRangeMap.fill(d.S, d.L, N, 1, order);
const work = {
  "random build": [() => buildMaple(), () => buildSb()],
  "overwrite covering 6": [
    (t) => {
      for (let k = 0; k < over.length; k += 2) t.setRange(over[k], over[k + 1], 7);
    },
    (m) => {
      for (let k = 0; k < over.length; k += 2) m.store(over[k], over[k + 1], 7);
    },
    true,
  ],
  "random erase": [
    (t) => {
      for (const i of erase) t.delete(d.S[i]);
    },
    (m) => {
      for (const i of erase) m.tree.delete(d.S[i]);
    },
    true,
  ],
};
const span = (a) => `[${Math.min(...a).toFixed(1)}-${Math.max(...a).toFixed(1)}]`;
for (const [name, [fm, fb, needsTree]] of Object.entries(work)) {
  const tm = [];
  const tb = [];
  for (let r = 0; r < 7; r++) {
    const m = needsTree ? buildMaple() : null;
    const b = needsTree ? buildSb() : null;
    let t0 = performance.now();
    fm(m);
    tm.push(performance.now() - t0);
    t0 = performance.now();
    fb(b);
    tb.push(performance.now() - t0);
  }
  const ratio = median(tb) / median(tm);
  console.log(
    `${name}: maple ${median(tm).toFixed(1)} ms ${span(tm)}, sorted-btree ${median(tb).toFixed(1)} ms ${span(tb)}, ratio ${ratio.toFixed(2)}x`,
  );
}
