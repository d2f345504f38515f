// The bar chart of `pnpm bench:peers`: one horizontal bar per workload, the speed ratio over
// sorted-btree on a log2 axis, a tick at the target, green when the target is met. Plain SVG
// text written here (no charting dependency).

export interface ChartRow {
  readonly label: string;
  /** Ours over sorted-btree (> 1: ours is better). */
  readonly ratio: number;
  /** Spread of the per-round ratios. */
  readonly lo: number;
  readonly hi: number;
  /** The target ratio, or null when the row has no ratio target. */
  readonly target: number | null;
  readonly met: boolean;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** An SVG document of `rows`. */
export function ratioChart(title: string, rows: readonly ChartRow[]): string {
  const labelW = 330;
  const plotW = 430;
  const rowH = 24;
  const top = 44;
  const width = labelW + plotW + 70;
  const height = top + rows.length * rowH + 34;
  const loExp = -2;
  const hiExp = 6;
  const x = (r: number) => {
    const e = Math.min(hiExp, Math.max(loExp, Math.log2(Math.max(r, 1e-9))));
    return labelW + ((e - loExp) / (hiExp - loExp)) * plotW;
  };
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  );
  for (let e = loExp; e <= hiExp; e++) {
    const gx = x(2 ** e);
    const label = e < 0 ? `1/${2 ** -e}` : `${2 ** e}`;
    out.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + rows.length * rowH}" stroke="${e === 0 ? "#333" : "#ddd"}"/>`,
      `<text x="${gx}" y="${top + rows.length * rowH + 14}" text-anchor="middle" fill="#555">${label}×</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const x0 = x(1);
    const x1 = x(r.ratio);
    const fill = r.met ? "#2e8b57" : "#c0392b";
    out.push(
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`,
      `<rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${rowH - 8}" fill="${fill}" fill-opacity="0.85"/>`,
      `<line x1="${x(r.lo)}" y1="${y + rowH / 2}" x2="${x(r.hi)}" y2="${y + rowH / 2}" stroke="#000" stroke-width="1"/>`,
      `<text x="${Math.max(x0, x1) + 4}" y="${y + 15}" fill="#222">${r.ratio.toFixed(2)}×</text>`,
    );
    if (r.target !== null) {
      const tx = x(r.target);
      out.push(
        `<line x1="${tx}" y1="${y + 1}" x2="${tx}" y2="${y + rowH - 1}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`,
      );
    }
  });
  out.push(
    `<text x="10" y="${height - 6}" fill="#555">Bar: median of per-round ratios vs sorted-btree 2.1.0 (log scale; &gt; 1 = maple-tree better); whisker: min–max over rounds; dashed tick: target.</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}
