import type { WelcomeLimits } from "./codes";
import type { Identity } from "./frames";

/**
 * The first frame a block receives, once it can be reached by others.
 *
 * @example
 * ```ts
 * ws.send(welcomeFrame(identity, welcomeLimits(config)));
 * ```
 */
export function welcomeFrame(identity: Identity, limits: WelcomeLimits): string {
  return JSON.stringify({ t: "welcome", v: 1, jid: identity.jid, from: identity, limits });
}

/**
 * The limits a welcome states, picked from the edge's configuration (which holds more than these).
 *
 * @example
 * ```ts
 * welcomeLimits(readConfig(env)).maxSubscriptions; // 1000 unless NEXUS_MAX_SUBSCRIPTIONS says otherwise
 * ```
 */
export function welcomeLimits(c: WelcomeLimits): WelcomeLimits {
  return {
    maxFrameBytes: c.maxFrameBytes,
    apiTimeoutMs: c.apiTimeoutMs,
    maxSubscriptions: c.maxSubscriptions,
    maxPendingCalls: c.maxPendingCalls,
    maxServedMethods: c.maxServedMethods,
    maxBlocksPerUser: c.maxBlocksPerUser,
    pingIntervalMs: c.pingIntervalMs,
  };
}
