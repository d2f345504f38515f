// The playground page: tabs, and each view mounted once. The benchmark tab reads bench.json, which
// the build writes from docs/bench/*.json (absent when no bench has been recorded).

import { barChartSvg, barsOf } from "./bench-chart.js";
import { byId } from "./dom.js";
import { esc } from "./escape.js";
import { mountMmView } from "./mm-view.js";
import { mountSharedView } from "./shared-view.js";
import { mountTreeView } from "./tree-view.js";

function tabs(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>("nav .tab")) {
    b.addEventListener("click", () => {
      for (const o of document.querySelectorAll("nav .tab")) o.classList.toggle("active", o === b);
      for (const v of document.querySelectorAll<HTMLElement>(".view"))
        v.hidden = v.id !== `tab-${b.dataset.tab}`;
    });
  }
}

async function mountBench(): Promise<void> {
  const body = byId("bench-body");
  const files = (await (await fetch("bench.json")).json()) as Record<string, unknown>;
  const names = Object.keys(files);
  if (names.length === 0) {
    body.innerHTML =
      "<p>No benchmark has been recorded yet: run <code>pnpm bench:peers</code> or <code>pnpm bench:mm</code>, then rebuild.</p>";
    return;
  }
  body.innerHTML = names
    .map((n) => {
      const bars = barsOf(files[n]);
      return bars.length > 0
        ? barChartSvg(n, bars)
        : `<h3>${esc(n)}</h3><pre>${esc(JSON.stringify(files[n], null, 1))}</pre>`;
    })
    .join("");
}

tabs();
mountTreeView();
mountMmView();
mountSharedView();
mountBench().catch((e: unknown) => {
  byId("bench-body").textContent = `benchmarks: ${(e as Error).message}`;
});
