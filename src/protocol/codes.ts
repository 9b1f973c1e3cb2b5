/**
 * The wire's error codes and close codes: one table shared by the edge, the bridge and the SDK.
 *
 * @example
 * ```ts
 * if (frame.t === "error" && frame.code === ErrorCode.rate_limited) backOff();
 * ```
 */
export const ErrorCode = {
  bad_request: "bad_request",
  too_large: "too_large",
  rate_limited: "rate_limited",
  quota_exceeded: "quota_exceeded",
  forbidden: "forbidden",
  not_found: "not_found",
  offline: "offline",
  not_a_worker: "not_a_worker",
  no_responders: "no_responders",
  worker_gone: "worker_gone",
  timeout: "timeout",
  app_error: "app_error",
  internal: "internal",
  unauthorized: "unauthorized",
  disconnected: "disconnected",
  unavailable: "unavailable",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * What each code means to a caller, and whether trying the same thing again later can succeed.
 * `unauthorized` is the HTTP refusal of a token and `unavailable` the refusal of a connect the edge
 * cannot check now (503); `disconnected` is raised by clients only (the connection dropped while a
 * call was in flight).
 */
export const ERROR_TABLE: Readonly<Record<ErrorCode, { retryable: boolean; meaning: string }>> = {
  bad_request: { retryable: false, meaning: "the frame is malformed or a field is missing or ill-typed" },
  too_large: { retryable: false, meaning: "the frame is larger than maxFrameBytes" },
  rate_limited: { retryable: true, meaning: "this connection, its user or its app sends faster than its rate limit" },
  // Not retryable, as NATS's "maximum subscriptions exceeded": waiting alone does not help, the
  // client must first release what it holds (unsubscribe, let calls finish, close a block).
  quota_exceeded: {
    retryable: false,
    meaning:
      "the client holds as much as a quota allows (subscriptions, calls in flight, served methods, blocks); the frame's `quota` names it",
  },
  forbidden: { retryable: false, meaning: "the caller may not do this (no grant, not the owner, kind not allowed)" },
  not_found: { retryable: false, meaning: "the app is not in the registry" },
  offline: { retryable: true, meaning: "the named worker is not online" },
  not_a_worker: { retryable: false, meaning: "the target or the caller is a frontend, which cannot serve" },
  no_responders: { retryable: true, meaning: "no online worker serves this method" },
  worker_gone: { retryable: true, meaning: "the worker disconnected before it answered" },
  timeout: { retryable: true, meaning: "no answer within timeoutMs" },
  app_error: { retryable: false, meaning: "the worker answered with an error" },
  internal: { retryable: true, meaning: "the server failed; nothing about the request was wrong" },
  unauthorized: { retryable: false, meaning: "the token is missing, malformed, expired or not signed by a trusted key" },
  disconnected: { retryable: true, meaning: "the connection dropped before the answer arrived" },
  unavailable: { retryable: true, meaning: "the edge cannot check the token now (its key source is unreachable); retry later" },
};

/** WebSocket close codes with a meaning in Nexus (4000-4999 are application codes). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  tooBig: 1009,
  tokenExpired: 4001,
  /** A worker sent nothing, not even a ping, for three `pingIntervalMs`; it may reconnect at once. */
  missedKeepalive: 4002,
  policy: 4008,
  /** The edge holds more undelivered bytes for this connection than `maxOutboundBytes` (NATS's slow consumer); reconnecting is allowed. */
  slowConsumer: 4013,
  replaced: 4009,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client must not reconnect on its own (4001 may, with a fresh token). */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.tokenExpired, CloseCode.policy, CloseCode.replaced]);

/**
 * The quotas a client can be refused with `quota_exceeded`; the error frame (or `api.result` error,
 * or HTTP body) names the one in its `quota` field. The first four are per block and stated in
 * `welcome.limits`; the others bound a user or an app as a whole (see docs/security.md).
 */
export const Quota = {
  maxSubscriptions: "maxSubscriptions",
  maxPendingCalls: "maxPendingCalls",
  maxServedMethods: "maxServedMethods",
  maxBlocksPerUser: "maxBlocksPerUser",
  /** Subscriptions of one user's blocks together, in one app. */
  maxSubscriptionsPerUser: "maxSubscriptionsPerUser",
  /** Distinct channels the blocks of one app are subscribed to. */
  maxChannelsPerApp: "maxChannelsPerApp",
  /** Calls in flight to one app's workers from one calling user. */
  maxPendingCallsPerUser: "maxPendingCallsPerUser",
  /** Calls in flight to one app's workers, from everyone. */
  maxPendingCallsPerApp: "maxPendingCallsPerApp",
  /** Bytes of retained values one app has parked on channels. */
  maxRetainedBytesPerApp: "maxRetainedBytesPerApp",
} as const;

export type Quota = (typeof Quota)[keyof typeof Quota];

/** The protocol's defaults, announced in `welcome.limits`. */
export const DEFAULT_LIMITS = {
  maxFrameBytes: 256 * 1024,
  apiTimeoutMs: 30_000,
  maxSubscriptions: 1000,
  maxPendingCalls: 1000,
  maxServedMethods: 256,
  maxBlocksPerUser: 100,
  /** Workers send a ping at least this often; three intervals of silence close them with 4002. */
  pingIntervalMs: 20_000,
} as const;

/** The limits a `welcome` states (each configurable at the edge). */
export interface WelcomeLimits {
  maxFrameBytes: number;
  apiTimeoutMs: number;
  maxSubscriptions: number;
  maxPendingCalls: number;
  maxServedMethods: number;
  maxBlocksPerUser: number;
  /** Workers send a ping at least this often (close 4002 after three silent intervals). */
  pingIntervalMs: number;
}

/** Frames above this size may be refused by closing the socket with 1009 instead of an error frame. */
export const HARD_FRAME_LIMIT_BYTES = 1024 * 1024;
