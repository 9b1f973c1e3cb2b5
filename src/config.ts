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
  jwtSecret: string | undefined;
  jwksUrl: string | undefined;
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
  NEXUS_JWT_SECRET?: string;
  NEXUS_JWKS_URL?: string;
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
    jwtSecret: env.NEXUS_JWT_SECRET || undefined,
    jwksUrl: env.NEXUS_JWKS_URL || undefined,
    adminKey: env.NEXUS_ADMIN_KEY || undefined,
    bench: env.NEXUS_BENCH === "1",
  };
}
