import { createRemoteJWKSet, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { APP_PATTERN, UID_PATTERN } from "../identity/jid";
import { isKind } from "../identity/kinds";

/** The claims Nexus reads from a block's token. */
export interface TokenClaims {
  uid: string;
  app: string;
  exp: number;
  /** The kinds this token may connect as; undefined allows every kind. */
  kinds: string[] | undefined;
}

/** A token that cannot be used; `message` is safe to show to the client. */
export class TokenError extends Error {
  override readonly name = "TokenError";
}

const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function jwksFor(url: string): ReturnType<typeof createRemoteJWKSet> {
  let set = jwksCache.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    jwksCache.set(url, set);
  }
  return set;
}

function algOf(token: string): string | undefined {
  try {
    const header = JSON.parse(atob(token.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))) as { alg?: unknown };
    return typeof header.alg === "string" ? header.alg : undefined;
  } catch {
    return undefined;
  }
}

function claimsOf(payload: JWTPayload): TokenClaims {
  const { sub, app, exp, kinds } = payload as JWTPayload & { app?: unknown; kinds?: unknown };
  if (typeof sub !== "string" || !UID_PATTERN.test(sub)) throw new TokenError("token has no valid sub (uid)");
  if (typeof app !== "string" || !APP_PATTERN.test(app)) throw new TokenError("token has no valid app");
  if (typeof exp !== "number") throw new TokenError("token has no exp");
  if (kinds !== undefined && (!Array.isArray(kinds) || !kinds.every((k) => typeof k === "string"))) {
    throw new TokenError("token kinds must be an array of kind names");
  }
  return { uid: sub, app, exp, kinds: kinds as string[] | undefined };
}

/**
 * Verifies a block's JWT: HS256 with the server's secret, or RS256/ES256 with a key from the
 * configured JWKS (the platform's issuer). `exp` is required and enforced.
 *
 * @example
 * ```ts
 * const claims = await verifyToken(token, { secret: env.NEXUS_JWT_SECRET, jwksUrl: env.NEXUS_JWKS_URL });
 * ```
 */
export async function verifyToken(token: string, keys: { secret?: string; jwksUrl?: string }): Promise<TokenClaims> {
  const alg = algOf(token);
  try {
    if (alg === "HS256") {
      if (!keys.secret) throw new TokenError("HS256 tokens are not accepted here");
      const { payload } = await jwtVerify(token, new TextEncoder().encode(keys.secret), {
        algorithms: ["HS256"],
        requiredClaims: ["exp"],
      });
      return claimsOf(payload);
    }
    if (alg === "RS256" || alg === "ES256") {
      if (!keys.jwksUrl) throw new TokenError(`${alg} tokens need a configured JWKS`);
      const { payload } = await jwtVerify(token, jwksFor(keys.jwksUrl), {
        algorithms: ["RS256", "ES256"],
        requiredClaims: ["exp"],
      });
      return claimsOf(payload);
    }
  } catch (err) {
    if (err instanceof TokenError) throw err;
    const code = (err as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED") throw new TokenError("token expired");
    throw new TokenError("token signature or claims are not valid");
  }
  throw new TokenError(alg ? `token algorithm ${alg} is not accepted` : "token is not a JWT");
}

/**
 * Mints a development token (HS256). Production tokens come from the platform's issuer.
 *
 * @example
 * ```ts
 * const token = await mintToken({ uid: "u1", app: "etest", ttlSeconds: 3600 }, secret);
 * ```
 */
export async function mintToken(
  claims: { uid: string; app: string; kinds?: string[]; ttlSeconds: number },
  secret: string,
): Promise<string> {
  const jwt = new SignJWT({ app: claims.app, ...(claims.kinds ? { kinds: claims.kinds } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.uid)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSeconds);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** True when every entry is a known kind. */
export function areKinds(kinds: unknown): kinds is string[] {
  return Array.isArray(kinds) && kinds.every((k) => typeof k === "string" && isKind(k));
}
