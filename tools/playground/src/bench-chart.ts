// Bar charts of the benchmark files in docs/bench/*.json (written by `pnpm bench:peers` and
// `pnpm bench:mm`). The files' row shapes belong to their benches, so the chart reads any array of
// rows that has a label and a ratio field: a bar per row, a line at 1×, the target marked.

import { esc } from "./escape.js";

/** One bar: a ratio, its target and which way is better. */
export interface Bar {
  label: string;
  ratio: number;
  target: number | null;
  /** "higher": a speed ratio (ours / peer); "lower": a time ratio (model / kernel). */
  better: "higher" | "lower";
  met: boolean | null;
}

type Row = Record<string, unknown>;

/**
 * The bars of a bench file: every row object, in an array or keyed by case, with a name or label
 * and a numeric `ratio` / `ratioMedian`. Targets are read as the benches write them: a number or
 * "≥ 2×" (a floor on a speed ratio), "≤ 0.5×" or `{ ratio: 0.5 }` (a ceiling on a time ratio).
 */
export function barsOf(json: unknown): Bar[] {
  const bars: Bar[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== "object" || depth > 3) return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    const bar = barOf(v as Row);
    if (bar !== null) bars.push(bar);
    else for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(json, 0);
  return bars;
}

function barOf(r: Row): Bar | null {
  const label = r.name ?? r.label;
  // bench:mm keeps its ratios per clock and judges on CPU time (`cpu.ratioMedian`, `metOnCpu`).
  const cpu = (r.cpu ?? {}) as Row;
  const ratio = typeof r.ratio === "number" ? r.ratio : (r.ratioMedian ?? cpu.ratioMedian);
  if (typeof label !== "string" || typeof ratio !== "number") return null;
  const { target, better } = targetOf(r.target);
  const flag = r.met ?? r.metOnCpu;
  const met =
    typeof flag === "boolean"
      ? flag
      : target === null
        ? null
        : better === "higher"
          ? ratio >= target
          : ratio <= target;
  return { label, ratio, target, better, met };
}

function targetOf(t: unknown): { target: number | null; better: "higher" | "lower" } {
  if (typeof t === "number") return { target: t, better: "higher" };
  if (typeof t === "string") {
    const m = /(\d+(?:\.\d+)?)\s*[×x]/.exec(t);
    return {
      target: m === null ? null : Number(m[1]),
      better: /≤|<=/.test(t) ? "lower" : "higher",
    };
  }
  if (t !== null && typeof t === "object" && typeof (t as Row).ratio === "number") {
    return { target: (t as Row).ratio as number, better: "lower" };
  }
  return { target: null, better: "higher" };
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
    const ok = b.met !== false;
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
