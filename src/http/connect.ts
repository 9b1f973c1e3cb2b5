import type { Context } from "hono";
import { TokenError, TokenUnavailable, verifyToken } from "../auth/tokens";
import { configOf } from "../config";
import { CLAIMS_HEADER, type ConnectClaims } from "../do-contracts";
import { isKind, parseResource } from "../identity/kinds";
import { HttpError } from "./errors";

function bearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return m?.[1];
}

/**
 * `GET /v1/connect`: verifies the token and the requested resource before the upgrade (so refusals
 * are plain HTTP with a JSON body), then hands the socket to the block's app object. The same
 * checks answer a plain GET, which is how a browser learns why its upgrade was refused.
 */
export async function connect(c: Context<{ Bindings: Env }>): Promise<Response> {
  const { config } = configOf(c.env);
  const token = bearer(c.req.header("Authorization")) ?? c.req.query("token");
  if (!token) throw new HttpError(401, "unauthorized", "missing token: use Authorization: Bearer <jwt> or ?token=");
  let claims: Awaited<ReturnType<typeof verifyToken>>;
  try {
    claims = await verifyToken(token, {
      secret: config.jwtSecret,
      jwksUrl: config.jwksUrl,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
    });
  } catch (err) {
    if (err instanceof TokenError) throw new HttpError(401, "unauthorized", err.message);
    if (err instanceof TokenUnavailable) throw new HttpError(503, "unavailable", err.message);
    throw err;
  }
  const resource = c.req.query("resource");
  const kindParam = c.req.query("kind");
  let kind: string;
  if (resource !== undefined) {
    const parsed = parseResource(resource);
    if (!parsed) throw new HttpError(400, "bad_request", "resource must be <kind><suffix>, suffix [A-Za-z0-9]{0,32}");
    kind = parsed.kind;
  } else if (kindParam !== undefined) {
    if (!isKind(kindParam)) throw new HttpError(400, "bad_request", `unknown kind "${kindParam.slice(0, 32)}"`);
    kind = kindParam;
  } else {
    throw new HttpError(400, "bad_request", "give ?resource=<kind><suffix> or ?kind=<kind>");
  }
  if (claims.kinds && !claims.kinds.includes(kind))
    throw new HttpError(403, "forbidden", `this token may not connect as ${kind}`);

  // Checked last: browsers cannot read the status of a refused upgrade, so a client may repeat the
  // request as a plain GET to learn why; it then gets the real refusal (401/400/403) or this 426.
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new HttpError(426, "bad_request", "token and resource are valid; expected a WebSocket upgrade");
  }
  const block: ConnectClaims = {
    app: claims.app,
    uid: claims.uid,
    exp: claims.exp,
    ...(resource !== undefined ? { resource } : { kind }),
    ...(claims.pub ? { pub: claims.pub } : {}),
    ...(claims.sub ? { sub: claims.sub } : {}),
  };
  // Only what the app object reads: the runtime answers the client's handshake itself, so a copy of
  // every client header would be built and carried across for nothing.
  const headers = { Upgrade: "websocket", [CLAIMS_HEADER]: JSON.stringify(block) };
  return c.env.APP.getByName(claims.app).fetch(c.req.raw.url, { headers });
}
