import { DEFAULT_LIMITS } from "./protocol/codes";

/** The edge's settings, read from its environment (vars and secrets) with working defaults. */
export interface NexusConfig {
  domain: string;
  maxFrameBytes: number;
  apiTimeoutMs: number;
  /** Token bucket per connection: sustained frames per second, and the burst it allows. */
  ratePerSec: number;
  rateBurst: number;
  /** Frames refused for rate within one window of `abuseWindowMs` after which the socket is closed with 4008. */
  abuseLimit: number;
  abuseWindowMs: number;
  /** How often workers must ping; three silent intervals close them with 4002. */
  pingIntervalMs: number;
  jwtSecret: string | undefined;
  jwksUrl: string | undefined;
  /** When set, tokens must carry this `iss`. */
  jwtIssuer: string | undefined;
  /** When set, tokens must carry this `aud` (or a list holding it). */
  jwtAudience: string | undefined;
  adminKey: string | undefined;
  bench: boolean;
}

/** The variables the edge reads; all optional strings. */
export interface NexusVars {
  NEXUS_DOMAIN?: string;
  NEXUS_MAX_FRAME_BYTES?: string;
  NEXUS_RATE_PER_SEC?: string;
  NEXUS_RATE_BURST?: string;
  NEXUS_ABUSE_LIMIT?: string;
  NEXUS_PING_INTERVAL_MS?: string;
  NEXUS_JWT_SECRET?: string;
  NEXUS_JWKS_URL?: string;
  NEXUS_JWT_ISSUER?: string;
  NEXUS_JWT_AUDIENCE?: string;
  NEXUS_ADMIN_KEY?: string;
  NEXUS_BENCH?: string;
}

function positive(value: string | undefined, fallback: number): number {
  const n = value === undefined || value === "" ? Number.NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * Reads the configuration from the Worker's env.
 *
 * @example
 * ```ts
 * const config = readConfig(env);
 * if (exceedsBytes(text, config.maxFrameBytes)) refuse();
 * ```
 */
export function readConfig(env: NexusVars): NexusConfig {
  const ratePerSec = positive(env.NEXUS_RATE_PER_SEC, 2000);
  const rateBurst = positive(env.NEXUS_RATE_BURST, ratePerSec * 2);
  return {
    domain: env.NEXUS_DOMAIN || "qepal.com",
    maxFrameBytes: positive(env.NEXUS_MAX_FRAME_BYTES, DEFAULT_LIMITS.maxFrameBytes),
    apiTimeoutMs: DEFAULT_LIMITS.apiTimeoutMs,
    ratePerSec,
    rateBurst,
    abuseLimit: positive(env.NEXUS_ABUSE_LIMIT, rateBurst),
    abuseWindowMs: 10_000,
    pingIntervalMs: positive(env.NEXUS_PING_INTERVAL_MS, DEFAULT_LIMITS.pingIntervalMs),
    jwtSecret: env.NEXUS_JWT_SECRET || undefined,
    jwksUrl: env.NEXUS_JWKS_URL || undefined,
    jwtIssuer: env.NEXUS_JWT_ISSUER || undefined,
    jwtAudience: env.NEXUS_JWT_AUDIENCE || undefined,
    adminKey: env.NEXUS_ADMIN_KEY || undefined,
    bench: env.NEXUS_BENCH === "1",
  };
}

/** The shortest HS256 secret the edge accepts, in bytes (RFC 7518 section 3.2: at least the hash size). */
export const MIN_SECRET_BYTES = 32;

/**
 * What makes this configuration unusable, or undefined when it is sound. The edge answers every
 * request with this instead of starting half-configured; the local stack refuses to start.
 *
 * @example
 * ```ts
 * configProblem({ NEXUS_JWT_SECRET: "abc" }); // "NEXUS_JWT_SECRET is 3 bytes; it must be at least 32"
 * ```
 */
export function configProblem(env: NexusVars): string | undefined {
  const secret = env.NEXUS_JWT_SECRET;
  if (secret) {
    const bytes = new TextEncoder().encode(secret).length;
    if (bytes < MIN_SECRET_BYTES) return `NEXUS_JWT_SECRET is ${bytes} bytes; it must be at least ${MIN_SECRET_BYTES}`;
  }
  return undefined;
}
