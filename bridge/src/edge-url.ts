/**
 * The edge's `/v1/connect` WebSocket URL for a device, from any form of the edge's address
 * (`http://127.0.0.1:8787`, `https://nexus.example.com`, `wss://nexus.example.com/v1/connect`).
 * The token travels in the Authorization header, not in the URL, so it stays out of access logs.
 *
 * @example
 * ```ts
 * connectUrl("http://127.0.0.1:8787", { resource: "device01" });
 * // "ws://127.0.0.1:8787/v1/connect?resource=device01"
 * ```
 */
export function connectUrl(edgeUrl: string, target: { resource: string } | { kind: string }): string {
  const url = new URL(edgeUrl);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  if (!url.pathname.endsWith("/v1/connect")) url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/connect`;
  url.search = "";
  if ("resource" in target) url.searchParams.set("resource", target.resource);
  else url.searchParams.set("kind", target.kind);
  return url.toString();
}
