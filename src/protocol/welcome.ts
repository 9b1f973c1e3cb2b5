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
 * The same text as `welcomeFrame`, spliced from parts already serialised: the app object keeps each
 * block's identity as JSON (`fromJson`) and its limits as JSON, so a connect stringifies neither again.
 *
 * @example
 * ```ts
 * ws.send(welcomeFrameOf(identity.jid, JSON.stringify(identity), JSON.stringify(welcomeLimits(config))));
 * ```
 */
export function welcomeFrameOf(jid: string, fromJson: string, limitsJson: string): string {
  return `{"t":"welcome","v":1,"jid":${JSON.stringify(jid)},"from":${fromJson},"limits":${limitsJson}}`;
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
