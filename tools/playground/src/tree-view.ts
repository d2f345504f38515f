// The maple tree tab: the form and script feed a TreeSession; the history slider picks the step
// drawn; a loaded kernel structural trace is replayed beside it (trace-compare.ts).

import { $, byId, inputValue, showResult } from "./dom.js";
import type { Picture } from "./picture.js";
import { TraceCompare } from "./trace-compare.js";
import { parseLine, parseScript } from "./tree-script.js";
import { type TreeOp, TreeSession, type TreeStep } from "./tree-session.js";
import { treeSvg } from "./tree-svg.js";

/** Labels of the form's four inputs for each operation ("" hides the input). */
const FIELDS: Record<string, [string, string, string, string]> = {
  store: ["first", "last", "value", ""],
  insert: ["first", "last", "value", ""],
  erase: ["index", "", "", ""],
  allocate: ["size", "min", "max", "value"],
  gap: ["size", "min", "max", ""],
  gaprev: ["size", "min", "max", ""],
  walk: ["index", "", "", ""],
};

export function mountTreeView(): void {
  let session = new TreeSession(false);
  let shown = 0;
  const trace = new TraceCompare();

  const draw = (): void => {
    const step = session.steps[shown] as TreeStep;
    byId("tree-svg").innerHTML = treeSvg(step.picture, {
      path: step.path,
      stateNode: step.stateNode,
      stateSlot: step.stateSlot,
    });
    focus("tree-svg");
    const s = step.state;
    byId("tree-state").textContent =
      `mas: index ${s.index}, last ${s.last}, status ${s.status}, node ${s.node}, offset ${s.offset}`;
    byId("tree-kind").textContent = session.alloc ? "allocation tree" : "plain tree";
    byId("tree-rcu").textContent = step.rcu ? "RCU mode" : "not RCU";
    showResult("tree-result", `${step.text}: ${step.result}`, step.ok);
    const slider = byId<HTMLInputElement>("tree-step");
    slider.max = String(session.steps.length - 1);
    slider.value = String(shown);
    byId("tree-step-text").textContent = `step ${shown} of ${session.steps.length - 1}`;
  };
  /** Run ops until one fails; a failure shows its message over an unchanged drawing. */
  const runOps = (ops: TreeOp[]): void => {
    let failed: TreeStep | null = null;
    for (const op of ops) {
      const step = session.run(op);
      if (!step.ok) {
        failed = step;
        break;
      }
    }
    shown = session.steps.length - 1;
    draw();
    if (failed !== null) showResult("tree-result", `${failed.text}: ${failed.result}`, false);
  };
  const fresh = (alloc: boolean): void => {
    session = new TreeSession(alloc);
    shown = 0;
    draw();
  };

  byId("tree-new-plain").addEventListener("click", () => fresh(false));
  byId("tree-new-alloc").addEventListener("click", () => fresh(true));
  byId("tree-op").addEventListener("change", relabel);
  byId("tree-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const name = inputValue("tree-op");
    const args = ["tree-a", "tree-b", "tree-c", "tree-d"]
      .filter((_, i) => (FIELDS[name]?.[i] ?? "") !== "")
      .map((id) => inputValue(id) || "NaN");
    try {
      const op = parseLine(`${name} ${args.join(" ")}`);
      if (op !== null) runOps([op]);
    } catch (e) {
      showResult("tree-result", (e as Error).message, false);
    }
  });
  byId("tree-script-run").addEventListener("click", () => {
    try {
      runOps(parseScript(inputValue("tree-script")));
    } catch (e) {
      showResult("tree-result", (e as Error).message, false);
    }
  });
  const go = (to: number): void => {
    shown = Math.max(0, Math.min(session.steps.length - 1, to));
    draw();
  };
  byId("tree-back").addEventListener("click", () => go(shown - 1));
  byId("tree-fwd").addEventListener("click", () => go(shown + 1));
  byId("tree-step").addEventListener("input", () => go(Number(inputValue("tree-step"))));

  const drawTrace = (): void => {
    const at = trace.current();
    if (at === null) return;
    byId("kernel-pane").hidden = false;
    byId("tree-svg").innerHTML = treeSvg(at.ours as Picture, { differing: at.diff.differing });
    byId("kernel-svg").innerHTML = treeSvg(at.kernel);
    focus("tree-svg");
    focus("kernel-svg");
    byId("trace-text").textContent =
      `op ${at.i} of ${trace.length - 1}: ${at.text} — ${at.diff.same ? "same tree" : at.diff.first}`;
  };
  byId<HTMLInputElement>("trace-file").addEventListener("change", async (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    try {
      await trace.load(file);
      drawTrace();
    } catch (e) {
      byId("trace-text").textContent = (e as Error).message;
    }
  });
  byId("trace-fwd").addEventListener("click", () => {
    trace.step(1);
    drawTrace();
  });
  byId("trace-back").addEventListener("click", () => {
    trace.step(-1);
    drawTrace();
  });
  byId("trace-goto").addEventListener("change", () => {
    trace.goTo(Number(inputValue("trace-goto")));
    drawTrace();
  });
  byId("trace-next-diff").addEventListener("click", () => {
    trace.toNextDifference();
    drawTrace();
  });
  byId("tree-zoom").addEventListener("change", () =>
    trace.current() === null ? draw() : drawTrace(),
  );
  relabel();
  draw();
}

/**
 * Scroll a drawing so what the last operation touched is in view: the state's node, else the end
 * of the walk, else the first differing node, else the root.
 */
function focus(boxId: string): void {
  const box = byId(boxId);
  const zoom = inputValue("tree-zoom");
  const svg = box.querySelector("svg");
  if (svg !== null && zoom !== "1") {
    const w = Number(svg.getAttribute("width"));
    svg.style.width = zoom === "fit" ? "100%" : `${w * Number(zoom)}px`;
    svg.style.height = "auto";
  }
  const target =
    box.querySelector(".mas-node") ??
    [...box.querySelectorAll(".on-path")].pop() ??
    box.querySelector(".differs") ??
    box.querySelector('[data-pos="0"]');
  if (target === null || target === undefined) return;
  const t = target.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  // Centre the target, or show its left end when it is wider than the box.
  const dx =
    t.width > b.width ? t.left - b.left - 8 : t.left + t.width / 2 - (b.left + b.width / 2);
  box.scrollLeft += dx;
}

function relabel(): void {
  const labels = FIELDS[inputValue("tree-op")] ?? ["", "", "", ""];
  ["a", "b", "c", "d"].forEach((k, i) => {
    byId(`tree-${k}-label`).textContent = labels[i] as string;
    ($(`#tree-${k}`) as HTMLElement).parentElement?.toggleAttribute("hidden", labels[i] === "");
  });
}
