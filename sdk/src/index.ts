/**
 * The Nexus client SDK: one module for browsers, Node.js 20+, Deno and Workers.
 *
 * @example
 * ```ts
 * import { connect, NexusError, ErrorCode } from "@qe/nexus-sdk";
 * const nx = await connect({ url: "https://nexus.example.com", token, kind: "webuo" });
 * const sub = await nx.subscribe("prices", (text, ctx) => console.log(ctx.seq, text));
 * try {
 *   console.log(await nx.api("etest", "sum", { a: 1, b: 2 }));
 * } catch (err) {
 *   if (err instanceof NexusError && err.code === ErrorCode.no_responders) console.log("no worker online");
 * }
 * ```
 */
export { Backoff, type BackoffOptions } from "./backoff";
export type { GapEvent, ResubscribedEvent } from "./channel-position";
export { type ClientEvents, connect, NexusClient } from "./client";
export { ERROR_TABLE, ErrorCode, isNexusError, isRetryable, NexusError, type NexusErrorDetails, Quota } from "./errors";
export type { KeepaliveOptions } from "./keepalive";
export type {
  ApiHandler,
  ApiOptions,
  ApiReply,
  BlockInfo,
  CallContext,
  ChannelMessage,
  ClientState,
  CloseOptions,
  ConnectOptions,
  DirectContext,
  DirectHandler,
  DirectOptions,
  FindQuery,
  Identity,
  MessageHandler,
  PublishOptions,
  TokenSource,
  WillOptions,
} from "./options";
export { Subscription, type SubscriptionEvents } from "./subscription";
export type { WebSocketConstructor, WebSocketLike } from "./transport";
