/**
 * Reads a token's claims without verifying it, to explain the obvious refusals before connecting:
 * a browser's WebSocket never exposes the HTTP status or body of a refused upgrade, so the
 * console would otherwise only learn "the connection failed". The edge still decides; this only
 * catches what it would certainly refuse (not a JWT, expired, kind not allowed).
 *
 * @example
 * precheckToken(token, "webuo"); // throws { code: "unauthorized" } for an expired token
 */
export function precheckToken(token, kind) {
  const parts = token.split(".");
  let claims;
  try {
    if (parts.length !== 3) throw new Error("not three parts");
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    claims = JSON.parse(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, "=")));
  } catch {
    throw coded("unauthorized", "this is not a JWT (expected three base64url parts separated by dots)");
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) {
    throw coded("unauthorized", `the token expired at ${new Date(claims.exp * 1000).toISOString()}`);
  }
  if (Array.isArray(claims.kinds) && !claims.kinds.includes(kind)) {
    throw coded("forbidden", `the token may connect only as ${claims.kinds.join(", ")}, not as ${kind}`);
  }
  return claims;
}

/**
 * Asks the edge why it refused a connect, with a plain GET of the same URL. Returns the contract's
 * `{code, message}` when the edge explains (401/403/400 with a JSON body), else undefined
 * (e.g. an edge that checks for the Upgrade header first answers 426).
 *
 * @example
 * const why = await explainRefusal(token, "webuo"); // { code: "unauthorized", message: "bad signature" }
 */
export async function explainRefusal(token, kind) {
  try {
    const res = await fetch(`/v1/connect?${new URLSearchParams({ token, kind })}`);
    if (![400, 401, 403].includes(res.status)) return undefined;
    const error = (await res.json())?.error;
    return typeof error?.code === "string" ? error : undefined;
  } catch {
    return undefined;
  }
}

function coded(code, message) {
  return Object.assign(new Error(message), { code });
}
