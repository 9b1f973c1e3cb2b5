import type { BlockInfo, Identity } from "../../src/protocol/frames";
import type { BackoffOptions } from "./backoff";
import type { WebSocketConstructor } from "./transport";

export type { BlockInfo, Identity };

/**
 * The client's connection state.
 * - `connecting`: opening a socket, or restoring served methods and subscriptions after `welcome`;
 * - `connected`: welcomed and every declaration restored; calls go out at once;
 * - `disconnected`: the socket dropped; a reconnect is scheduled; calls wait for it;
 * - `closed`: final (by `close()`, a refusal, or close code 4001/4008/4009); calls reject.
 *
 * @example
 * ```ts
 * nx.on("state", (s: ClientState) => (badge.textContent = s));
 * ```
 */
export type ClientState = "connecting" | "connected" | "disconnected" | "closed";

/**
 * Where the token comes from: a fixed string, or a function asked again on every (re)connect.
 *
 * @example
 * ```ts
 * const token: TokenSource = async () => (await fetch("/nexus-token")).text();
 * ```
 */
export type TokenSource = string | (() => string | Promise<string>);

/**
 * Options of `connect()`. Give `kind` (the server adds a random suffix) or an exact `resource`.
 *
 * @example
 * ```ts
 * const options: ConnectOptions = {
 *   url: "https://nexus.example.com",
 *   token: async () => (await fetch("/token")).text(),
 *   kind: "default",
 *   reconnect: { initialDelayMs: 250, maxDelayMs: 10_000 },
 *   keepalive: { intervalMs: 20_000, timeoutMs: 5_000 },
 * };
 * ```
 */
export interface ConnectOptions {
  /** The edge's base URL: http(s)://host[:port] or ws(s)://host[:port]; `/v1/connect` is appended. */
  url: string;
  token: TokenSource;
  /** A resource kind ("default", "webuo"...); the server picks the suffix. Kept across reconnects. */
  kind?: string;
  /** An exact resource ("default7Hx"). */
  resource?: string;
  /** Reconnect backoff, or `false` to go to `closed` on the first drop. */
  reconnect?: BackoffOptions | false;
  /** Ping cadence; a socket that does not answer within `timeoutMs` is dropped and reconnected. */
  keepalive?: { intervalMs?: number; timeoutMs?: number } | false;
  /** Bound on opening a socket and receiving `welcome`, in ms (default 10000). */
  connectTimeoutMs?: number;
  /** Bound on acks of sub/serve/find/direct/publish, in ms (default 30000). */
  requestTimeoutMs?: number;
  /** A WebSocket implementation; by default `globalThis.WebSocket`, else the `ws` package (Node < 22). */
  WebSocket?: WebSocketConstructor;
  /**
   * Where the token travels: `"query"` (`?token=`, the default; browsers cannot set headers) or
   * `"header"` (`Authorization: Bearer`, which keeps it out of URLs and access logs; Node.js, with the
   * `ws` package unless `WebSocket` is given).
   */
  tokenIn?: "query" | "header";
  /**
   * Node.js `ws` only: how long a closed socket waits for the server to end TCP, in ms (default 1000).
   * workerd holds TCP open for seconds after its close frame; `ws` reports the close (4001, 4009) only then.
   */
  closeTimeoutMs?: number;
  /**
   * What `connect()` does when the edge answers 503 `unavailable` (it cannot check tokens now, e.g.
   * its issuer's key set is unreachable): `"retry"` (default) waits with the reconnect backoff until it
   * can; `"reject"` rejects at once with the retryable error, for a gateway that hands the retry on
   * (the MQTT bridge answers CONNACK "server unavailable").
   */
  onFirstUnavailable?: "retry" | "reject";
}

/**
 * Per-call options of `api()`.
 *
 * @example
 * ```ts
 * await nx.api("etest", "sum", { a: 1 }, { resource: "default7Hx", timeoutMs: 5000, signal: AbortSignal.timeout(6000) });
 * ```
 */
export interface ApiOptions {
  /** One exact worker instead of round-robin over the owner's workers. */
  resource?: string;
  /** A user-role worker of this uid (with `resource`), or round-robin over that uid's workers. */
  uid?: string;
  /** Default and maximum 30000; counts from the call, including time spent waiting for a reconnect. */
  timeoutMs?: number;
  /** Aborting rejects the call with `signal.reason` (as `fetch` does). */
  signal?: AbortSignal;
}

/**
 * What a served method's handler learns about the call.
 *
 * @example
 * ```ts
 * nx.serve("whoami", (_data, ctx: CallContext) => ctx.from.uid);
 * ```
 */
export interface CallContext {
  /** The caller, stamped by the server. */
  from: Identity;
  method: string;
  /** The request's id on the wire (opaque, never reused by the app). */
  rid: string;
}

/**
 * A served method: returns (or resolves with) the answer's `data`; a throw answers `ok:false`.
 *
 * @example
 * ```ts
 * const sum: ApiHandler = ({ a, b }: { a: number; b: number }) => ({ sum: a + b });
 * ```
 */
export type ApiHandler = (data: any, ctx: CallContext) => unknown;

/**
 * What a Direct's handler learns about it.
 *
 * @example
 * ```ts
 * nx.onDirect((text, ctx: DirectContext) => console.log(ctx.from.jid, text));
 * ```
 */
export interface DirectContext {
  from: Identity;
}

/**
 * One channel message, as a subscription's handler gets it (with `text`) and as its iterator yields it.
 *
 * @example
 * ```ts
 * for await (const m of sub) console.log(m.channel, m.seq, m.retained, m.from.jid, m.text);
 * ```
 */
export interface ChannelMessage {
  channel: string;
  text: string;
  from: Identity;
  /** Increases by one per channel. */
  seq: number;
  /** True for the channel's retained value, delivered first after subscribing. */
  retained: boolean;
}

/**
 * Options of `direct()`.
 *
 * @example
 * ```ts
 * await nx.direct("etest", "default7Hx", "reboot", { ack: true });
 * ```
 */
export interface DirectOptions {
  /** The uid of a user-role worker. */
  uid?: string;
  /** Ask the server to confirm delivery; rejects with `offline`, `forbidden`... otherwise. */
  ack?: boolean;
}

/**
 * Options of `publish()`.
 *
 * @example
 * ```ts
 * await nx.publish("device/42/online", "1", { retain: true, ack: true });
 * ```
 */
export interface PublishOptions {
  /** Keep as the channel's last value for later subscribers; `retain` with "" clears it. */
  retain?: boolean;
  /** Wait for the server's ack (and its errors, e.g. `rate_limited`). */
  ack?: boolean;
}

/**
 * A Find query. Default: the caller's own uid's online blocks; `scope: "app"` (owner only): the whole app.
 *
 * @example
 * ```ts
 * const workers = await nx.find({ app: "etest", kind: "default", scope: "app" });
 * ```
 */
export interface FindQuery {
  app?: string;
  kind?: string;
  scope?: "app";
}

/**
 * A channel subscription's handler; `ctx` is the whole message.
 *
 * @example
 * ```ts
 * const onPrice: MessageHandler = (text, ctx) => console.log(ctx.channel, ctx.seq, text);
 * await nx.subscribe("prices", onPrice);
 * ```
 */
export type MessageHandler = (text: string, ctx: ChannelMessage) => void | Promise<void>;

/**
 * A Direct's handler.
 *
 * @example
 * ```ts
 * const onDirect: DirectHandler = (text, ctx) => console.log(ctx.from.jid, text);
 * nx.onDirect(onDirect);
 * ```
 */
export type DirectHandler = (text: string, ctx: DirectContext) => void | Promise<void>;

/**
 * What `call()` resolves with: the answer's `data` and the worker that answered.
 *
 * @example
 * ```ts
 * const reply: ApiReply<{ sum: number }> = await nx.call("etest", "sum", { a: 1, b: 2 });
 * ```
 */
export interface ApiReply<T = unknown> {
  data: T;
  from: Identity;
}

/**
 * Options of `setWill()`.
 *
 * @example
 * ```ts
 * await nx.setWill("status/dev1", "offline", { retain: true } satisfies WillOptions);
 * ```
 */
export interface WillOptions {
  /** Publish the will as the channel's retained value. */
  retain?: boolean;
}

/**
 * Options of `close()`.
 *
 * @example
 * ```ts
 * await nx.close({ clearWill: false }); // the edge publishes the will, as if the process had died
 * ```
 */
export interface CloseOptions {
  /** Clear the will before closing (default true); `false` leaves it for the edge to publish. */
  clearWill?: boolean;
}
