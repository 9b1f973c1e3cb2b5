import { createRemoteJWKSet, errors, SignJWT } from "jose";
import { APP_PATTERN, UID_PATTERN } from "../identity/jid";
import { isKind } from "../identity/kinds";
import { capabilityProblem } from "./capabilities";
import { type CompactJws, type JwsHeader, jsonOf, parseCompact, verifyCompact } from "./jws";

/** The claims Nexus reads from a block's token. */
export interface TokenClaims {
  uid: string;
  app: string;
  exp: number;
  /** The kinds this token may connect as; undefined allows every kind. */
  kinds: string[] | undefined;
  /** Channel patterns this token may publish on / subscribe to; undefined allows every channel. */
  pub?: string[];
  sub?: string[];
}

/** A token that cannot be used; `message` is safe to show to the client. */
export class TokenError extends Error {
  override readonly name = "TokenError";
}

/** The token cannot be checked now (its JWKS is unreachable); the client should try again later. */
export class TokenUnavailable extends Error {
  override readonly name = "TokenUnavailable";
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

/** The HS256 key, imported once per secret rather than on every connect (jose imports raw bytes each time). */
let hmac: { secret: string; key: Promise<CryptoKey> } | undefined;

function hmacKey(secret: string): Promise<CryptoKey> {
  if (hmac?.secret !== secret) {
    const key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "verify",
    ]);
    hmac = { secret, key };
    key.catch(() => {
      if (hmac?.key === key) hmac = undefined;
    });
  }
  return hmac.key;
}

function claimsOf(payload: Record<string, unknown>): TokenClaims {
  const { sub, app, exp, kinds, caps } = payload;
  if (typeof sub !== "string" || !UID_PATTERN.test(sub)) throw new TokenError("token has no valid sub (uid)");
  if (typeof app !== "string" || !APP_PATTERN.test(app)) throw new TokenError("token has no valid app");
  if (typeof exp !== "number") throw new TokenError("token has no exp");
  if (kinds !== undefined && (!Array.isArray(kinds) || !kinds.every((k) => typeof k === "string"))) {
    throw new TokenError("token kinds must be an array of kind names");
  }
  const claims: TokenClaims = { uid: sub, app, exp, kinds: kinds as string[] | undefined };
  if (caps === undefined) return claims;
  // The JWT's own `sub` is the uid, so the channel capabilities travel in one `caps` claim: {pub, sub}.
  if (typeof caps !== "object" || caps === null || Array.isArray(caps)) throw new TokenError("token caps must be {pub?, sub?}");
  for (const name of ["pub", "sub"] as const) {
    const value = (caps as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const problem = capabilityProblem(value);
    if (problem) throw new TokenError(`token caps.${name} ${problem}`);
    claims[name] = value as string[];
  }
  return claims;
}

/** How a token is checked: the key sources, and the claims the deployment requires. */
export interface TokenPolicy {
  secret?: string;
  jwksUrl?: string;
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud`, when set. */
  audience?: string;
}

/** Clock skew allowed between the issuer and the edge, on `exp` and `nbf`. */
export const CLOCK_LEEWAY_SECONDS = 30;

/**
 * Verifies a block's JWT: HS256 with the server's secret, or RS256/ES256 with a key from the
 * configured JWKS (the platform's issuer); the algorithm is pinned per key source, so `alg:none`
 * and HS/RS confusion are refused. `exp` is required, `nbf` honoured, both with 30 s of leeway;
 * `iss` and `aud` are checked when the policy names them. Throws `TokenError` for a token that
 * cannot be used (401), `TokenUnavailable` when the JWKS cannot be fetched now (503, retryable).
 *
 * The JWS is split and its signature checked here, with WebCrypto (`jws.ts`); jose only fetches and
 * caches the issuer's key set: its verifier (its own base64 and claim checks) was the largest piece of
 * JS in a connect (docs/performance.md, "Connections: what a connect costs").
 *
 * @example
 * ```ts
 * const claims = await verifyToken(token, { secret: env.NEXUS_JWT_SECRET, jwksUrl: env.NEXUS_JWKS_URL });
 * ```
 */
export async function verifyToken(token: string, policy: TokenPolicy): Promise<TokenClaims> {
  const jws = parseCompact(token);
  if (!jws) throw new TokenError("token is not a JWT");
  const { alg } = jws.header;
  let keys: CryptoKey[];
  try {
    if (alg === "HS256") {
      if (!policy.secret) throw new TokenError("HS256 tokens are not accepted here");
      keys = [await hmacKey(policy.secret)];
    } else if (alg === "RS256" || alg === "ES256") {
      if (!policy.jwksUrl) throw new TokenError(`${alg} tokens need a configured JWKS`);
      keys = await issuerKeys(policy.jwksUrl, jws.header);
    } else {
      throw new TokenError(`token algorithm ${alg} is not accepted`);
    }
  } catch (err) {
    if (err instanceof TokenError) throw err;
    throw refusalOf(err);
  }
  if (!(await anyVerifies(jws, keys))) throw new TokenError("token signature or claims are not valid");
  const payload = jsonOf(jws.payload);
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    throw new TokenError("token signature or claims are not valid");
  checkTimes(payload as Record<string, unknown>);
  checkAudience(payload as Record<string, unknown>, policy);
  return claimsOf(payload as Record<string, unknown>);
}

/** The issuer's keys that may have signed a token with this header (more than one when its `kid` does not pick one). */
async function issuerKeys(jwksUrl: string, header: JwsHeader): Promise<CryptoKey[]> {
  try {
    return [await jwksFor(jwksUrl)(header)];
  } catch (err) {
    if ((err as { code?: string }).code !== "ERR_JWKS_MULTIPLE_MATCHING_KEYS") throw err;
    const keys: CryptoKey[] = [];
    for await (const key of err as AsyncIterable<CryptoKey>) keys.push(key);
    return keys;
  }
}

async function anyVerifies(jws: CompactJws, keys: readonly CryptoKey[]): Promise<boolean> {
  for (const key of keys) if (await verifyCompact(jws, key)) return true;
  return false;
}

/** `exp` required, `nbf` honoured, `iat` a number when present, all with the leeway (RFC 7519 §4.1.4-6). */
function checkTimes(payload: Record<string, unknown>): void {
  const now = Math.floor(Date.now() / 1000);
  const { exp, nbf, iat } = payload;
  if (typeof exp !== "number") throw new TokenError("token exp claim is missing or not accepted here");
  if (exp <= now - CLOCK_LEEWAY_SECONDS) throw new TokenError("token expired");
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > now + CLOCK_LEEWAY_SECONDS))
    throw new TokenError("token is not valid yet (nbf)");
  if (iat !== undefined && typeof iat !== "number") throw new TokenError("token signature or claims are not valid");
}

/** `iss` and `aud` when the deployment names them (RFC 7519 §4.1.1, §4.1.3: `aud` a string or an array). */
function checkAudience(payload: Record<string, unknown>, policy: TokenPolicy): void {
  const { iss, aud } = payload;
  if (policy.issuer !== undefined && iss !== policy.issuer)
    throw new TokenError("token iss claim is missing or not accepted here");
  if (policy.audience === undefined) return;
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(policy.audience)) throw new TokenError("token aud claim is missing or not accepted here");
}

/** What a failure to get the issuer's keys means for the client: the token is bad, or the keys cannot be had now. */
function refusalOf(err: unknown): TokenError | TokenUnavailable {
  const code = (err as { code?: string }).code;
  // The key set could not be fetched or read (network, non-200, timeout, not a JWKS): not the token's fault.
  if (
    !(err instanceof errors.JOSEError) ||
    code === "ERR_JOSE_GENERIC" ||
    code === "ERR_JWKS_TIMEOUT" ||
    code === "ERR_JWKS_INVALID"
  ) {
    return new TokenUnavailable("the token's issuer keys cannot be fetched now; try again");
  }
  // No key of the issuer's fits the token's header (ERR_JWKS_NO_MATCHING_KEY, an unsupported key).
  return new TokenError("token signature or claims are not valid");
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
  claims: { uid: string; app: string; kinds?: string[]; pub?: string[]; sub?: string[]; ttlSeconds: number },
  secret: string,
  policy: { issuer?: string; audience?: string } = {},
): Promise<string> {
  const caps =
    claims.pub || claims.sub
      ? { caps: { ...(claims.pub ? { pub: claims.pub } : {}), ...(claims.sub ? { sub: claims.sub } : {}) } }
      : {};
  const jwt = new SignJWT({ app: claims.app, ...(claims.kinds ? { kinds: claims.kinds } : {}), ...caps })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.uid)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSeconds);
  if (policy.issuer !== undefined) jwt.setIssuer(policy.issuer);
  if (policy.audience !== undefined) jwt.setAudience(policy.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** True when every entry is a known kind. */
export function areKinds(kinds: unknown): kinds is string[] {
  return Array.isArray(kinds) && kinds.every((k) => typeof k === "string" && isKind(k));
}
