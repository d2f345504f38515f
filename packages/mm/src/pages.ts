// Private anonymous page presence and contents of one mm, keyed by page frame number of the user
// address (addr / 4096). A page is present once written (or write-populated); its value is the
// first u64 of the page, which is all the oracle's touches and probes ever look at. Read faults
// map the shared zero page and add nothing (linux-mm.md §6.2: smaps `Anonymous` ignores it).

/** Present private anonymous pages: pfn → first u64 of the page. */
export type PageMap = Map<number, number>;

/** Drops the pages of `[startPfn, endPfn)` (unmap, MADV_DONTNEED, wipe). */
export function dropPages(pages: PageMap, startPfn: number, endPfn: number): void {
  if (pages.size === 0 || endPfn <= startPfn) return;
  if (endPfn - startPfn <= pages.size) {
    for (let p = startPfn; p < endPfn; p++) pages.delete(p);
    return;
  }
  for (const p of pages.keys()) if (p >= startPfn && p < endPfn) pages.delete(p);
}

/** Counts the present pages of `[startPfn, endPfn)` (smaps `Anonymous` / 4). */
export function countPages(pages: PageMap, startPfn: number, endPfn: number): number {
  if (pages.size === 0 || endPfn <= startPfn) return 0;
  let n = 0;
  if (endPfn - startPfn <= pages.size) {
    for (let p = startPfn; p < endPfn; p++) if (pages.has(p)) n++;
    return n;
  }
  for (const p of pages.keys()) if (p >= startPfn && p < endPfn) n++;
  return n;
}

/**
 * Moves the pages of `[fromPfn, fromPfn + n)` to start at `toPfn` (mremap's move_page_tables),
 * replacing whatever the destination held. Ranges may overlap.
 */
export function movePages(pages: PageMap, fromPfn: number, toPfn: number, n: number): void {
  if (pages.size === 0 || n <= 0 || fromPfn === toPfn) return;
  const moved: number[] = [];
  if (n <= pages.size) {
    for (let p = fromPfn; p < fromPfn + n; p++) {
      const v = pages.get(p);
      if (v !== undefined) moved.push(p - fromPfn, v);
    }
  } else {
    for (const [p, v] of pages) if (p >= fromPfn && p < fromPfn + n) moved.push(p - fromPfn, v);
  }
  dropPages(pages, fromPfn, fromPfn + n);
  dropPages(pages, toPfn, toPfn + n);
  for (let i = 0; i < moved.length; i += 2)
    pages.set(toPfn + (moved[i] as number), moved[i + 1] as number);
}
