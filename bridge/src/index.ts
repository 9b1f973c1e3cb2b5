import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { createWebSocketStream, WebSocketServer } from "ws";
import type { BackoffOptions } from "../../sdk/src/core";
import { type BridgeContext, DeviceConnection } from "./device-connection";
import type { BridgeLog } from "./log";
import { makeLogger } from "./log";
import { Reason } from "./reason-codes";

export { NexusError } from "../../sdk/src/core";
export type { BridgeLog } from "./log";

/**
 * How to start a bridge.
 *
 * @example
 * ```ts
 * const options: BridgeOptions = { host: "0.0.0.0", port: 1883, wsPort: 8083, edgeUrl: "https://nexus.example.com", log: console.log };
 * ```
 */
export interface BridgeOptions {
  /** Address both listeners bind to. */
  host: string;
  /** MQTT over TCP; 0 picks a free port. */
  port: number;
  /** MQTT over WebSocket (subprotocol "mqtt"); 0 picks a free port. */
  wsPort: number;
  /** The edge: `http://host:port`, `https://...` or `wss://.../v1/connect`. */
  edgeUrl: string;
  /** Receives one structured record per event (JSON-serialisable). */
  log?: BridgeLog;
  /** Edge reconnect backoff (the SDK's); defaults to 100 ms doubling up to 3 s, with full jitter. */
  reconnect?: BackoffOptions;
  /** Largest MQTT packet a device may send; defaults to 1 MiB (the edge's hard frame limit). */
  maxPacketBytes?: number;
  /**
   * Bytes written to one device and not yet taken by its socket (a device that stopped reading) past
   * which the bridge cuts it off with DISCONNECT 0x97 and publishes its will; default 4 MiB.
   */
  maxQueuedBytes?: number;
}

/**
 * A running bridge.
 *
 * @example
 * ```ts
 * const bridge: Bridge = await startBridge(options);
 * process.on("SIGTERM", () => bridge.close());
 * ```
 */
export interface Bridge {
  /** The bound MQTT/TCP port. */
  port: number;
  /** The bound MQTT/WebSocket port. */
  wsPort: number;
  /** Devices currently connected. */
  readonly connections: number;
  /** Stops listening, tells MQTT 5 devices "server shutting down", closes every device and its edge session. */
  close(): Promise<void>;
}

/**
 * Starts the MQTT bridge: an MQTT 3.1.1/5 gateway in which every device is its own Nexus block
 * (one edge session per device, opened with the device's token).
 *
 * @example
 * ```ts
 * const bridge = await startBridge({ host: "127.0.0.1", port: 0, wsPort: 0, edgeUrl: "http://127.0.0.1:8787" });
 * console.log(bridge.port, bridge.wsPort);
 * await bridge.close();
 * ```
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const log = makeLogger(options.log, { component: "bridge" });
  const context: BridgeContext = {
    edgeUrl: options.edgeUrl,
    log,
    connections: new Set(),
    connectTimeoutMs: 10_000,
    maxPacketBytes: options.maxPacketBytes ?? 1024 * 1024,
    reconnect: options.reconnect,
    maxQueuedBytes: options.maxQueuedBytes ?? 4 * 1024 * 1024,
  };
  const sockets = new Set<Socket>();

  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.setNoDelay(true);
    new DeviceConnection(socket, context, `${socket.remoteAddress}:${socket.remotePort}`);
  });
  tcp.on("error", (err) => log("error", "bridge.tcp_error", { error: err.message }));

  const wss = new WebSocketServer({
    host: options.host,
    port: options.wsPort,
    perMessageDeflate: false,
    maxPayload: context.maxPacketBytes + 16,
    // MQTT over WebSocket names its subprotocol "mqtt" (MQTT 5 section 6, 3.1.1 section 6); older clients send "mqttv3.1".
    handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : protocols.has("mqttv3.1") ? "mqttv3.1" : false),
  });
  wss.on("connection", (ws, req) => {
    const stream = createWebSocketStream(ws);
    stream.on("error", () => {});
    new DeviceConnection(stream, context, `ws:${req.socket.remoteAddress}:${req.socket.remotePort}`);
  });
  wss.on("error", (err) => log("error", "bridge.ws_error", { error: err.message }));

  await Promise.all([
    listen(tcp, options.host, options.port),
    new Promise<void>((resolve, reject) => {
      wss.once("listening", resolve);
      wss.once("error", reject);
    }),
  ]);
  const port = (tcp.address() as AddressInfo).port;
  const wsPort = (wss.address() as AddressInfo).port;
  log("info", "bridge.listening", { host: options.host, port, wsPort, edge: options.edgeUrl });

  let closing: Promise<void> | undefined;
  return {
    port,
    wsPort,
    get connections() {
      return context.connections.size;
    },
    close() {
      closing ??= (async () => {
        const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
        const wsClosed = new Promise<void>((resolve) => wss.close(() => resolve()));
        for (const conn of [...context.connections]) {
          conn.end({
            will: false,
            reason: Reason.serverShuttingDown,
            reasonString: "bridge shutting down",
            cause: "bridge closing",
          });
        }
        // Let the DISCONNECT packets flush; a device that does not close its side within a second is cut off.
        const drained = [...sockets].map((socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())));
        const grace = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
        await Promise.race([Promise.all(drained), grace]);
        for (const socket of sockets) socket.destroy();
        for (const client of wss.clients) client.terminate();
        await Promise.all([tcpClosed, wsClosed]);
        log("info", "bridge.closed");
      })();
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
