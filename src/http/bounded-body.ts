import { HttpError } from "./errors";

/** After a refusal, at most this much more is read and dropped, so the client hears the 413 (see below). */
const DISCARD_BYTES = 1024 * 1024;

/**
 * Reads a request body as text, refusing one larger than `maxBytes` with 413 `too_large`: by its
 * Content-Length before reading anything, or while reading a body without one. What is read is
 * never held beyond `maxBytes`. The rest of a refused body is read and dropped (up to 1 MiB), because
 * a server that answers before the body has arrived resets the connection and clients that were
 * still sending (Node's fetch, wrangler's dev proxy) report that instead of the 413.
 *
 * @example
 * ```ts
 * const text = await readBoundedText(c.req.raw, 64 * 1024); // or throws HttpError(413, "too_large")
 * ```
 */
export async function readBoundedText(request: Request, maxBytes: number): Promise<string> {
  const refusal = new HttpError(413, "too_large", `the body is larger than ${maxBytes} bytes`);
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  const reader = request.body?.getReader();
  if (!reader) return "";
  if (declared > maxBytes) {
    await discard(reader, 0);
    throw refusal;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await discard(reader, size);
      throw refusal;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * Reads and drops what is left of a request body that nothing read (bounded, as after a refusal),
 * so that an error answered early does not reset the connection under a keep-alive client that
 * reuses it (workerd closes a connection whose request body was left unread).
 *
 * @example
 * ```ts
 * app.onError(async (err, c) => { await drainUnread(c.req.raw); return errorResponse(c, err); });
 * ```
 */
export async function drainUnread(request: Request): Promise<void> {
  if (request.bodyUsed || !request.body || request.body.locked) return;
  try {
    await discard(request.body.getReader(), 0);
  } catch {
    // The client went away: nothing to answer on anyway.
  }
}

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, already: number): Promise<void> {
  let dropped = 0;
  while (dropped < DISCARD_BYTES + already) {
    const { done, value } = await reader.read();
    if (done) return;
    dropped += value.byteLength;
  }
  await reader.cancel();
}
