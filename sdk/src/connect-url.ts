import { ErrorCode, NexusError } from "./errors";

/**
 * The WebSocket URL of `/v1/connect` for an edge base URL, a token and a kind or exact resource.
 * http(s) becomes ws(s); a base path is kept (`https://host/nexus` -> `wss://host/nexus/v1/connect`);
 * a relative base resolves against the page's location in browsers. Without a token (it travels in the
 * `Authorization` header instead) the URL has none, so it stays out of access logs.
 *
 * @example
 * ```ts
 * connectUrl("http://127.0.0.1:8787", "eyJ...", { kind: "default" });
 * // "ws://127.0.0.1:8787/v1/connect?token=eyJ...&kind=default"
 * ```
 */
export function connectUrl(base: string, token: string | undefined, target: { kind?: string; resource?: string }): string {
  let url: URL;
  try {
    const page = (globalThis as { location?: { href: string } }).location?.href;
    url = page === undefined ? new URL(base) : new URL(base, page);
  } catch (cause) {
    throw new NexusError(ErrorCode.bad_request, `invalid url: ${base}`, { cause });
  }
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new NexusError(ErrorCode.bad_request, `url must be http(s) or ws(s), got ${url.protocol}`);
  }
  if (!url.pathname.endsWith("/v1/connect")) url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/connect`;
  const query = new URLSearchParams();
  if (token !== undefined) query.set("token", token);
  if (target.resource !== undefined) query.set("resource", target.resource);
  else if (target.kind !== undefined) query.set("kind", target.kind);
  url.search = query.toString();
  url.hash = "";
  return url.toString();
}
