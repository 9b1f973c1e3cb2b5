/**
 * The SDK's connection core, for programs that build on it rather than use it as an application
 * client (the MQTT bridge: one `NexusClient` per device, its token in the `Authorization` header).
 * Everything here is the same code the public entry uses: one backoff, one error class, one table of
 * close codes, one URL builder.
 *
 * @example
 * ```ts
 * import { connect, terminalError } from "@qe/nexus-sdk/core";
 * const nx = await connect({ url, token, resource: "device01", tokenIn: "header", closeTimeoutMs: 100 });
 * terminalError(4009, "replaced")?.closeCode; // 4009
 * ```
 */

export { terminalError } from "./close-codes";
export { connectUrl } from "./connect-url";
export * from "./index";
export { type NodeSocketOptions, resolveWebSocket, type SocketInit } from "./transport";
