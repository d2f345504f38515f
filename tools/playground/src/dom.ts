// The few DOM helpers every view uses.

/** The element with this id; throws naming it when the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`playground: no element #${id}`);
  return el as T;
}

/** The first element matching a selector. */
export function $(selector: string): Element | null {
  return document.querySelector(selector);
}

/** The value of an input, select or textarea. */
export function inputValue(id: string): string {
  return byId<HTMLInputElement>(id).value;
}

/** Show a result line, red when it is an error. */
export function showResult(id: string, text: string, ok: boolean): void {
  const el = byId(id);
  el.textContent = text;
  el.classList.toggle("error", !ok);
}
