// The address space as one strip of SVG. A 47-bit address line would show every mapping as a
// hair, so the axis is broken: each VMA gets a width growing with the log of its size, and each
// hole between two VMAs is a fixed-width break labelled with its size. Colours follow the
// permissions; hovering a VMA shows its range, permissions, VmFlags and name.

import { esc } from "./escape.js";
import type { VmaRow } from "./mm-session.js";

const H = 46;
const BREAK = 26;

const COLOURS: Record<string, string> = {
  "r--": "#8fb8de",
  "rw-": "#7cc68e",
  "r-x": "#e8a860",
  rwx: "#e06c6c",
  "---": "#c9c9c9",
  "-w-": "#b7e3a8",
  "--x": "#f0c890",
  "-wx": "#f09090",
};

/** Width of a VMA of `bytes`: 22 px for a page, growing with log2 of its size. */
function vmaWidth(bytes: number): number {
  return 22 + 9 * Math.max(0, Math.log2(bytes / 4096));
}

/** Human size of a byte count: 4K, 2M, 1.5G, … */
export function sizeText(bytes: number): string {
  const units = ["", "K", "M", "G", "T", "P"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[u]}`;
}

/** Render the VMAs of one address space, lowest address on the left. */
export function stripSvg(vmas: readonly VmaRow[], label = ""): string {
  const parts: string[] = [];
  let x = 0;
  for (let i = 0; i < vmas.length; i++) {
    const v = vmas[i] as VmaRow;
    if (i > 0) {
      const hole = v.start - (vmas[i - 1] as VmaRow).end;
      if (hole > 0) {
        parts.push(
          `<g class="hole"><title>hole of ${sizeText(hole)}</title><path d="M${x + 8},4 l5,${H / 2 - 4} l-5,${H / 2 - 4}" class="break"/>` +
            `<text class="hole-size" x="${x + 2}" y="${H + 12}">${sizeText(hole)}</text></g>`,
        );
        x += BREAK;
      }
    }
    const w = vmaWidth(v.end - v.start);
    const fill = COLOURS[v.perms.slice(0, 3)] ?? "#ddd";
    const title = `${v.start.toString(16)}-${v.end.toString(16)} ${v.perms} ${sizeText(v.end - v.start)} ${v.name}\nVmFlags: ${v.flags}`;
    parts.push(
      `<g class="vma" data-start="${v.start}" data-end="${v.end}" data-perms="${v.perms}"><title>${esc(title)}</title>` +
        `<rect x="${x}" y="0" width="${w}" height="${H}" fill="${fill}"/>` +
        `<text class="vma-perms" x="${x + 2}" y="${H / 2 + 4}">${esc(v.perms.slice(0, 3))}</text></g>`,
    );
    x += w;
  }
  const width = Math.max(x, 200);
  const caption =
    label === "" ? "" : `<text class="strip-label" x="0" y="${H + 26}">${esc(label)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="strip-svg" data-vmas="${vmas.length}" width="${width + 4}" height="${H + 32}">${parts.join("")}${caption}</svg>`;
}
