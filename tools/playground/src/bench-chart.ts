// Bar charts of the benchmark files in docs/bench/*.json (written by `pnpm bench:peers` and
// `pnpm bench:mm`). The files' row shapes belong to their benches, so the chart reads any array of
// rows that has a label and a ratio field: a bar per row, a line at 1×, the target marked.

import { esc } from "./escape.js";

/** One bar. */
export interface Bar {
  label: string;
  ratio: number;
  target: number | null;
}

type Row = Record<string, unknown>;

/** The rows of a bench file: its `rows`/`results`/`workloads` array, or the first array it holds. */
export function barsOf(json: unknown): Bar[] {
  if (json === null || typeof json !== "object") return [];
  const obj = json as Record<string, unknown>;
  const arr = (obj.rows ??
    obj.results ??
    obj.workloads ??
    Object.values(obj).find(Array.isArray)) as unknown;
  if (!Array.isArray(arr)) return [];
  const bars: Bar[] = [];
  for (const r of arr as Row[]) {
    if (r === null || typeof r !== "object") continue;
    const label = Object.values(r).find((v) => typeof v === "string") as string | undefined;
    const ratioKey = Object.keys(r).find(
      (k) => /ratio|speedup/i.test(k) && typeof r[k] === "number",
    );
    if (label === undefined || ratioKey === undefined) continue;
    const targetKey = Object.keys(r).find((k) => /target/i.test(k) && typeof r[k] === "number");
    bars.push({
      label,
      ratio: r[ratioKey] as number,
      target: targetKey === undefined ? null : (r[targetKey] as number),
    });
  }
  return bars;
}

/** A horizontal bar chart of ratios (log scale, 1× marked). */
export function barChartSvg(title: string, bars: readonly Bar[]): string {
  const LABEL_W = 330;
  const W = 420;
  const ROW = 22;
  const top = Math.max(4, ...bars.map((b) => Math.max(b.ratio, b.target ?? 0)));
  const lo = 0.1;
  const x = (r: number): number => (W * Math.log(Math.max(r, lo) / lo)) / Math.log(top / lo);
  const parts = [`<text x="0" y="14" class="title">${esc(title)}</text>`];
  bars.forEach((b, i) => {
    const y = 26 + i * ROW;
    const ok = b.target === null || b.ratio >= b.target;
    parts.push(
      `<text x="0" y="${y + 14}">${esc(b.label)}</text>`,
      `<rect x="${LABEL_W}" y="${y + 3}" width="${x(b.ratio)}" height="${ROW - 6}" fill="${ok ? "#66bb6a" : "#ef5350"}"/>`,
      `<text x="${LABEL_W + x(b.ratio) + 4}" y="${y + 14}">${b.ratio.toFixed(2)}×</text>`,
    );
    if (b.target !== null) {
      parts.push(
        `<line x1="${LABEL_W + x(b.target)}" x2="${LABEL_W + x(b.target)}" y1="${y + 1}" y2="${y + ROW - 1}" stroke="#333" stroke-width="2"><title>target ${b.target}×</title></line>`,
      );
    }
  });
  const h = 30 + bars.length * ROW;
  parts.push(
    `<line x1="${LABEL_W + x(1)}" x2="${LABEL_W + x(1)}" y1="22" y2="${h}" stroke="#999" stroke-dasharray="3 3"/>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" class="bench-chart" width="${LABEL_W + W + 60}" height="${h + 4}">${parts.join("")}</svg>`;
}
