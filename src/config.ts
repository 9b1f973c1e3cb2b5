import { DEFAULT_LIMITS, type WelcomeLimits } from "./protocol/codes";

/**
 * Every bound the edge enforces, with its variable and default. docs/security.md explains each one
 * (what answers it, why the default is what it is); the defaults are sized from what one Durable
 * Object serves: the bench's echo floor, about 29,000 frames/s on a 2-core machine, and about
 * 7,800 API calls/s within one app object (docs/performance.md).
 */
export const LIMIT_VARS = {
  maxFrameBytes: { env: "NEXUS_MAX_FRAME_BYTES", default: DEFAULT_LIMITS.maxFrameBytes },
  maxSubscriptions: { env: "NEXUS_MAX_SUBSCRIPTIONS", default: DEFAULT_LIMITS.maxSubscriptions },
  maxPendingCalls: { env: "NEXUS_MAX_PENDING_CALLS", default: DEFAULT_LIMITS.maxPendingCalls },
  maxServedMethods: { env: "NEXUS_MAX_SERVED_METHODS", default: DEFAULT_LIMITS.maxServedMethods },
  maxBlocksPerUser: { env: "NEXUS_MAX_BLOCKS_PER_USER", default: DEFAULT_LIMITS.maxBlocksPerUser },
  /** Token bucket per connection: sustained frames per second (the burst is NEXUS_RATE_BURST, default twice this). */
  ratePerSec: { env: "NEXUS_RATE_PER_SEC", default: 2000 },
  /** The same for all blocks of one user in one app together. */
  userRatePerSec: { env: "NEXUS_USER_RATE_PER_SEC", default: 2000 },
  /** The same for all blocks of one app together. */
  appRatePerSec: { env: "NEXUS_APP_RATE_PER_SEC", default: 5000 },
  /** Channels a user's blocks may make the app join (a channel object started or woken) per second; past the burst they wait. */
  newChannelsPerSec: { env: "NEXUS_NEW_CHANNELS_PER_SEC", default: 20 },
  newChannelsBurst: { env: "NEXUS_NEW_CHANNELS_BURST", default: 20 },
  /** The same for all blocks of one app together. */
  appNewChannelsPerSec: { env: "NEXUS_APP_NEW_CHANNELS_PER_SEC", default: 50 },
  appNewChannelsBurst: { env: "NEXUS_APP_NEW_CHANNELS_BURST", default: 100 },
  /** A join of a new channel that would wait longer than this for its turn is refused with `rate_limited`. */
  newChannelMaxWaitMs: { env: "NEXUS_NEW_CHANNEL_MAX_WAIT_MS", default: 5000 },
  /** Channels a user's blocks may publish to per second that the app object has not published to or joined recently; past the burst they wait (the wait bound is NEXUS_NEW_CHANNEL_MAX_WAIT_MS). */
  newPubChannelsPerSec: { env: "NEXUS_NEW_PUB_CHANNELS_PER_SEC", default: 20 },
  newPubChannelsBurst: { env: "NEXUS_NEW_PUB_CHANNELS_BURST", default: 50 },
  /** The same for all blocks of one app together. */
  appNewPubChannelsPerSec: { env: "NEXUS_APP_NEW_PUB_CHANNELS_PER_SEC", default: 50 },
  appNewPubChannelsBurst: { env: "NEXUS_APP_NEW_PUB_CHANNELS_BURST", default: 100 },
  /** Channel names one app object remembers as recently published to (publishes to them are never paced). */
  pubRecentChannels: { env: "NEXUS_PUB_RECENT_CHANNELS", default: 2000 },
  maxSubscriptionsPerUser: { env: "NEXUS_MAX_SUBSCRIPTIONS_PER_USER", default: 2000 },
  maxChannelsPerApp: { env: "NEXUS_MAX_CHANNELS_PER_APP", default: 1000 },
  maxPendingCallsPerUser: { env: "NEXUS_MAX_PENDING_CALLS_PER_USER", default: 2000 },
  maxPendingCallsPerApp: { env: "NEXUS_MAX_PENDING_CALLS_PER_APP", default: 10_000 },
  maxRetainedBytesPerApp: { env: "NEXUS_MAX_RETAINED_BYTES_PER_APP", default: 16 * 1024 * 1024 },
  /** Bytes sent to a connection since it last sent anything (a frame or a ping); past it: close 4013. */
  maxOutboundBytes: { env: "NEXUS_MAX_OUTBOUND_BYTES", default: 16 * 1024 * 1024 },
  maxJsonDepth: { env: "NEXUS_MAX_JSON_DEPTH", default: 64 },
  /** One Durable Object call carries at most this many bytes of batched items (and 512 items). */
  maxBatchBytes: { env: "NEXUS_MAX_BATCH_BYTES", default: 4 * 1024 * 1024 },
  /** Items queued for one channel or one other app, behind the call in flight; past it: `rate_limited`. */
  maxQueuedBytes: { env: "NEXUS_MAX_QUEUED_BYTES", default: 16 * 1024 * 1024 },
  maxAdminBodyBytes: { env: "NEXUS_MAX_ADMIN_BODY_BYTES", default: 64 * 1024 },
  /** A channel with no member, no retained value and no history frees its storage after this long. */
  channelIdleMs: { env: "NEXUS_CHANNEL_IDLE_MS", default: 600_000 },
  /** Seqs a channel object lets its only member app number ahead at a time (a numbering lease); 0: never. */
  channelLease: { env: "NEXUS_CHANNEL_LEASE", default: 1024 },
  /** Per channel, history keeps the last this many messages ... */
  historySize: { env: "NEXUS_HISTORY_SIZE", default: 256 },
  /** ... none older than this ... */
  historyTtlMs: { env: "NEXUS_HISTORY_TTL_MS", default: 600_000 },
  /** ... and at most this many bytes of them together (their `msg` frames, in UTF-8). */
  historyBytes: { env: "NEXUS_HISTORY_BYTES", default: 1024 * 1024 },
} as const;

type LimitName = keyof typeof LIMIT_VARS;

/** The edge's settings, read from its environment (vars and secrets) with working defaults. */
export interface NexusConfig extends WelcomeLimits, Record<LimitName, number> {
  domain: string;
  apiTimeoutMs: number;
  rateBurst: number;
  userRateBurst: number;
  appRateBurst: number;
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
export type NexusVars = {
  NEXUS_DOMAIN?: string;
  NEXUS_RATE_BURST?: string;
  NEXUS_USER_RATE_BURST?: string;
  NEXUS_APP_RATE_BURST?: string;
  NEXUS_ABUSE_LIMIT?: string;
  NEXUS_PING_INTERVAL_MS?: string;
  NEXUS_JWT_SECRET?: string;
  NEXUS_JWKS_URL?: string;
  NEXUS_JWT_ISSUER?: string;
  NEXUS_JWT_AUDIENCE?: string;
  NEXUS_ADMIN_KEY?: string;
  NEXUS_BENCH?: string;
} & { [K in (typeof LIMIT_VARS)[LimitName]["env"]]?: string };

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
  const limits = {} as Record<LimitName, number>;
  for (const [name, v] of Object.entries(LIMIT_VARS) as [LimitName, (typeof LIMIT_VARS)[LimitName]][]) {
    limits[name] = positive(env[v.env], v.default);
  }
  const rateBurst = positive(env.NEXUS_RATE_BURST, limits.ratePerSec * 2);
  return {
    ...limits,
    domain: env.NEXUS_DOMAIN || "qepal.com",
    apiTimeoutMs: DEFAULT_LIMITS.apiTimeoutMs,
    rateBurst,
    userRateBurst: positive(env.NEXUS_USER_RATE_BURST, limits.userRatePerSec * 2),
    appRateBurst: positive(env.NEXUS_APP_RATE_BURST, limits.appRatePerSec * 2),
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

const configs = new WeakMap<object, { config: NexusConfig; problem: string | undefined }>();

/**
 * `readConfig` and `configProblem` of an env object, worked out once per object rather than on every
 * request (the runtime hands a worker the same env object for each request; its vars do not change).
 *
 * @example
 * ```ts
 * const { config, problem } = configOf(c.env);
 * ```
 */
export function configOf(env: NexusVars): { config: NexusConfig; problem: string | undefined } {
  let known = configs.get(env);
  if (!known) {
    known = { config: readConfig(env), problem: configProblem(env) };
    configs.set(env, known);
  }
  return known;
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
