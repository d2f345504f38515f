// Reading a trace file the user picked: plain text, or gzip (by its magic bytes) through the
// browser's DecompressionStream.

/** The text of `file`, gunzipped when it is gzip. */
export async function readMaybeGzip(file: Blob): Promise<string> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) return file.text();
  const stream = file.stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
