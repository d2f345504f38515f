// Escaping text for the SVG and HTML the playground builds as strings.

/** `s` safe inside an element or a double-quoted attribute. */
export function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}
