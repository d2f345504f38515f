// The address-space tab: the syscall form feeds an MmSession; the history slider picks the step
// drawn (the strip, the maps text, and after a fork the child beside the parent).

import { byId, inputValue, showResult } from "./dom.js";
import { type MmOp, MmSession, type MmStep } from "./mm-session.js";
import { stripSvg } from "./mm-strip.js";
import { type MmTraceRun, replayForSteps } from "./mm-trace.js";
import { readMaybeGzip } from "./read-file.js";
import { SAMPLE_MAPS } from "./sample-maps.js";
import { parseNum } from "./tree-script.js";

/** Which optional fields each syscall shows. */
const SHOWN: Record<string, string[]> = {
  mmap: ["mm-prot", "mm-flags-l"],
  munmap: [],
  mprotect: ["mm-prot"],
  mremap: ["mm-newlen-l"],
  madvise: ["mm-advice-l"],
  brk: [],
  fork: ["mm-strategy-l"],
};
const OPTIONAL = ["mm-prot", "mm-flags-l", "mm-newlen-l", "mm-advice-l", "mm-strategy-l"];

export function mountMmView(): void {
  let session = new MmSession();
  let shown = 0;

  const draw = (): void => {
    const step = session.steps[shown] as MmStep;
    byId("mm-strip").innerHTML = stripSvg(step.vmas, `${step.vmas.length} VMAs`);
    byId("mm-maps").textContent = step.maps;
    byId("mm-kernel-pane").hidden = true;
    byId("mm-child-pane").hidden = step.child === null;
    if (step.child !== null) {
      byId("mm-child-strip").innerHTML = stripSvg(
        step.child.vmas,
        `${step.child.vmas.length} VMAs`,
      );
      byId("mm-child-maps").textContent = step.child.maps;
    }
    showResult(
      "mm-result",
      step.result === "" ? step.text : `${step.text} = ${step.result}`,
      step.ok,
    );
    const slider = byId<HTMLInputElement>("mm-step");
    slider.max = String(session.steps.length - 1);
    slider.value = String(shown);
    byId("mm-step-text").textContent = `step ${shown} of ${session.steps.length - 1}`;
  };
  const start = (maps: string): void => {
    try {
      session = new MmSession(maps);
      shown = 0;
      draw();
    } catch (e) {
      showResult("mm-result", (e as Error).message, false);
    }
  };
  byId("mm-new").addEventListener("click", () => start(""));
  byId("mm-load").addEventListener("click", () => start(inputValue("mm-maps-in")));
  byId("mm-sample").addEventListener("click", () => {
    byId<HTMLTextAreaElement>("mm-maps-in").value = SAMPLE_MAPS;
    start(SAMPLE_MAPS);
  });
  byId("mm-op").addEventListener("change", relabel);
  byId("mm-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const step = session.run(formOp());
    shown = session.steps.length - 1;
    draw();
    if (!step.ok) showResult("mm-result", `${step.text} = ${step.result}`, false);
  });
  const go = (to: number): void => {
    shown = Math.max(0, Math.min(session.steps.length - 1, to));
    draw();
  };
  byId("mm-back").addEventListener("click", () => go(shown - 1));
  byId("mm-fwd").addEventListener("click", () => go(shown + 1));
  byId("mm-step").addEventListener("input", () => go(Number(inputValue("mm-step"))));
  mountTraceStepper();
  relabel();
  draw();
}

/** The trace part of the tab: load, replay, then step with the kernel's VMAs beside the model's. */
function mountTraceStepper(): void {
  let run: MmTraceRun | null = null;
  let at = 0;
  const draw = (): void => {
    const step = run?.steps[at];
    if (run === null || step === undefined) return;
    byId("mm-kernel-pane").hidden = false;
    byId("mm-child-pane").hidden = true;
    byId("mm-strip").innerHTML = stripSvg(step.vmas, `${step.vmas.length} VMAs`);
    byId("mm-maps").textContent = step.maps;
    byId("mm-kernel-maps").textContent = step.kernel;
    const verdict =
      run.divergence === null ? "every op agrees" : `first divergence: ${run.divergence}`;
    byId("mmtrace-text").textContent =
      `op ${step.i} (${at + 1} of ${run.steps.length}): ${step.text} — ${step.agreed ? "agrees" : "DIVERGES"}; ${run.agreed}/${run.ops} ops agree, ${verdict}`;
  };
  byId<HTMLInputElement>("mmtrace-file").addEventListener("change", async (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    try {
      const strategy = inputValue("mm-strategy") === "modern" ? "modern" : "seed";
      run = replayForSteps(await readMaybeGzip(file), file.name, strategy);
      at = 0;
      draw();
    } catch (e) {
      byId("mmtrace-text").textContent = (e as Error).message;
    }
  });
  const go = (to: number): void => {
    if (run === null) return;
    at = Math.max(0, Math.min(run.steps.length - 1, to));
    draw();
  };
  byId("mmtrace-back").addEventListener("click", () => go(at - 1));
  byId("mmtrace-fwd").addEventListener("click", () => go(at + 1));
  byId("mmtrace-next-diff").addEventListener("click", () => {
    const next = run?.steps.findIndex((s, k) => k > at && !s.agreed) ?? -1;
    if (next >= 0) go(next);
  });
}

/** The syscall the form describes; numbers that do not parse go on as NaN for the library to name. */
function formOp(): MmOp {
  const addr = parseNum(inputValue("mm-addr"));
  const len = parseNum(inputValue("mm-len"));
  const prot =
    (byId<HTMLInputElement>("mm-prot-r").checked ? 1 : 0) |
    (byId<HTMLInputElement>("mm-prot-w").checked ? 2 : 0) |
    (byId<HTMLInputElement>("mm-prot-x").checked ? 4 : 0);
  switch (inputValue("mm-op")) {
    case "mmap":
      return { op: "mmap", addr, len, prot, flags: Number(inputValue("mm-flags")) };
    case "munmap":
      return { op: "munmap", addr, len };
    case "mprotect":
      return { op: "mprotect", addr, len, prot };
    case "mremap":
      return {
        op: "mremap",
        addr,
        oldLen: len,
        newLen: parseNum(inputValue("mm-newlen")),
        flags: 1,
        newAddr: 0,
      };
    case "madvise":
      return { op: "madvise", addr, len, advice: Number(inputValue("mm-advice")) };
    case "brk":
      return { op: "brk", addr };
    default:
      return { op: "fork", strategy: inputValue("mm-strategy") === "modern" ? "modern" : "seed" };
  }
}

function relabel(): void {
  const want = SHOWN[inputValue("mm-op")] ?? [];
  for (const id of OPTIONAL) byId(id).hidden = !want.includes(id);
}
