import type { Duplex } from "node:stream";
import mqttPacket, { type IConnectPacket, type IPublishPacket, type Packet, type UserProperties } from "mqtt-packet";
import type { BackoffOptions } from "../../sdk/src/core";
import { connectRefusalBytes } from "./connect-refusal";
import { DeviceSubscriptions } from "./device-subscriptions";
import type { EdgeSession } from "./edge-session";
import { handlePacket } from "./handlers/index";
import type { Logger } from "./log";
import { OutboundWindow } from "./outbound-window";
import { Reason } from "./reason-codes";

/** What every device connection shares with the bridge. */
export interface BridgeContext {
  edgeUrl: string;
  log: Logger;
  connections: Set<DeviceConnection>;
  /** A socket that has not sent CONNECT within this time is closed. */
  connectTimeoutMs: number;
  /** Largest MQTT packet accepted from a device (announced to MQTT 5 devices). */
  maxPacketBytes: number;
  /** Edge reconnect backoff (tests shorten it). */
  reconnect?: BackoffOptions;
  /** Bytes written to a device and not yet taken by its socket, past which the device is cut off (0x97). */
  maxQueuedBytes: number;
}

/** How a device connection ends. */
export interface EndOptions {
  /** Let the edge publish the will (an unclean drop): true unless the device sent DISCONNECT. */
  will: boolean;
  /** MQTT 5: send DISCONNECT with this reason first (only once CONNACK was sent). */
  reason?: number;
  reasonString?: string;
  /** Why, for the log. */
  cause: string;
  /** Drop the socket at once instead of flushing what is queued (a device that stopped reading). */
  abort?: boolean;
}

/** A delivery to the device. */
export interface Delivery {
  topic: string;
  payload: string | Buffer;
  qos: 0 | 1;
  retain?: boolean;
  properties?: IPublishPacket["properties"];
}

/**
 * One device's MQTT connection: the packet parser and writer, keepalive, the QoS 1 windows and the
 * device's edge session. The per-packet logic lives in `handlers/`, one file per packet type.
 *
 * @example
 * ```ts
 * server.on("connection", (socket) => new DeviceConnection(socket, context));
 * ```
 */
export class DeviceConnection {
  state: "awaiting-connect" | "connecting" | "connected" | "closed" = "awaiting-connect";
  /** 3 (3.1), 4 (3.1.1) or 5, from CONNECT. */
  version: 3 | 4 | 5 = 4;
  clientId = "";
  connect: IConnectPacket | undefined;
  session: EdgeSession | undefined;
  readonly subscriptions = new DeviceSubscriptions();
  outbound = new OutboundWindow(65535);
  /** Packet ids of QoS 2 PUBLISHes (3.1.1) received but not yet released by PUBREL. */
  readonly inboundQos2 = new Set<number>();
  /** Packets that arrived between CONNECT and CONNACK, handled in order once connected. */
  readonly early: Packet[] = [];
  log: Logger;
  /** PUBACKs go out in the order the PUBLISHes came in, whatever order the edge answers in. */
  private ackChain: Promise<void> = Promise.resolve();
  private keepaliveTimer: ReturnType<typeof setTimeout> | undefined;
  private keepaliveMs = 0;
  private readonly parser = mqttPacket.parser();
  private bytesSincePacket = 0;
  /** The first bytes from the device, to answer a CONNECT that mqtt-packet cannot parse. */
  private head: Buffer | undefined = Buffer.alloc(0);

  constructor(
    readonly stream: Duplex,
    readonly context: BridgeContext,
    readonly remote: string,
  ) {
    this.log = context.log.child({ remote });
    context.connections.add(this);
    this.parser.on("packet", (packet: Packet) => {
      this.bytesSincePacket = 0;
      this.onPacket(packet);
    });
    this.parser.on("error", (err: Error) => {
      const refusal = this.state === "awaiting-connect" && this.head ? connectRefusalBytes(this.head) : undefined;
      if (refusal) {
        // [MQTT-3.1.2-2] an unsupported protocol level (or name) gets CONNACK 0x01 (MQTT 5: 0x84), then the close.
        if (this.stream.writable) this.stream.write(refusal);
        this.end({ will: false, cause: `unsupported protocol: ${err.message}` });
        return;
      }
      // [MQTT-4.8.0-1] a malformed packet closes this device's connection, and only it.
      this.end({
        will: true,
        reason: Reason.malformedPacket,
        reasonString: err.message,
        cause: `malformed packet: ${err.message}`,
      });
    });
    stream.on("data", (chunk: Buffer) => {
      if (this.state === "closed") return;
      this.bytesSincePacket += chunk.length;
      if (this.head && this.state === "awaiting-connect" && this.head.length < 64) {
        this.head = Buffer.concat([this.head, chunk.subarray(0, 64 - this.head.length)]);
      } else this.head = undefined;
      if (this.bytesSincePacket > context.maxPacketBytes + 8) {
        this.end({ will: true, reason: Reason.packetTooLarge, cause: "packet larger than the maximum packet size" });
        return;
      }
      this.parser.parse(chunk);
    });
    stream.on("error", (err) => this.log("debug", "device.socket_error", { error: err.message }));
    stream.on("close", () => this.end({ will: true, cause: "socket closed" }));
    this.armKeepalive(context.connectTimeoutMs);
  }

  /** Starts the keepalive: no packet within 1.5 times the keepalive closes the connection [MQTT-3.1.2-24]. */
  startKeepalive(seconds: number): void {
    this.keepaliveMs = seconds * 1500;
    this.armKeepalive(this.keepaliveMs);
  }

  /** Sends one packet in this connection's protocol version. */
  write(packet: Packet): void {
    if (this.stream.destroyed || !this.stream.writable) return;
    let bytes: Buffer;
    try {
      bytes = mqttPacket.generate(packet, { protocolVersion: this.version });
    } catch (err) {
      // mqtt-packet throws on a packet it cannot encode; that packet is lost, the connection is not.
      this.log("error", "device.encode_failed", { cmd: packet.cmd, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.stream.write(bytes);
    // A device that stops reading (a half-open link) would make the bridge hold everything sent to it.
    if (this.stream.writableLength > this.context.maxQueuedBytes) {
      this.end({
        will: true,
        reason: Reason.quotaExceeded,
        reasonString: "the device reads too slowly",
        cause: "device reads too slowly",
        abort: true,
      });
    }
  }

  /** Delivers a PUBLISH to the device; QoS 1 waits for a packet id within the device's Receive Maximum. */
  deliver(d: Delivery): void {
    if (this.state !== "connected") return;
    const packet: IPublishPacket = {
      cmd: "publish",
      topic: d.topic,
      payload: d.payload,
      qos: d.qos,
      dup: false,
      retain: d.retain ?? false,
    };
    if (this.version === 5 && d.properties) packet.properties = d.properties;
    if (d.qos === 0) {
      this.write(packet);
      return;
    }
    const accepted = this.outbound.submit((messageId) => this.write({ ...packet, messageId }));
    if (!accepted) this.end({ will: true, reason: Reason.receiveMaximumExceeded, cause: "too many unacknowledged deliveries" });
  }

  /** User properties carrying the sender (MQTT 5 only). */
  fromProperties(jid: string, extra: UserProperties = {}): IPublishPacket["properties"] | undefined {
    return this.version === 5 ? { userProperties: { "nexus-from": jid, ...extra } } : undefined;
  }

  /** Queues a PUBACK (or PUBREC for QoS 2) behind the earlier ones; `reason` settles when the edge has answered. */
  ackInOrder(cmd: "puback" | "pubrec", messageId: number, reason: Promise<{ code: number; text?: string }>): void {
    this.ackChain = this.ackChain
      .then(() => reason)
      .then(
        ({ code, text }) => {
          if (this.state !== "connected") return;
          const properties = this.version === 5 && text && code >= 0x80 ? { reasonString: text } : undefined;
          this.write({ cmd, messageId, reasonCode: this.version === 5 ? code : undefined, properties } as Packet);
        },
        (err: unknown) => this.log("error", "device.ack_failed", { error: String(err) }),
      );
  }

  /** Ends the connection: DISCONNECT first for MQTT 5 when a reason is given, the will on an unclean drop. */
  end(options: EndOptions): void {
    if (this.state === "closed") return;
    const wasConnected = this.state === "connected";
    this.state = "closed";
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
    this.context.connections.delete(this);
    if (wasConnected && this.version === 5 && options.reason !== undefined && this.stream.writable) {
      // [MQTT-4.13.2-1] the server says why before closing, when the connection was accepted.
      const properties = options.reasonString ? { reasonString: options.reasonString.slice(0, 200) } : undefined;
      this.write({ cmd: "disconnect", reasonCode: options.reason, properties });
    }
    if (options.abort) this.stream.destroy();
    else {
      this.stream.end();
      setTimeout(() => this.stream.destroy(), 2000).unref();
    }
    this.log("info", "device.disconnected", { cause: options.cause, resource: this.session?.identity?.resource });
    const session = this.session;
    if (!session) return;
    // The will is the edge's to publish (it was registered at CONNECT): a clean end clears it first.
    void session.close({ publishWill: options.will });
  }

  private onPacket(packet: Packet): void {
    if (this.state === "closed") return;
    if (this.keepaliveMs > 0) this.armKeepalive(this.keepaliveMs);
    try {
      handlePacket(this, packet);
    } catch (err) {
      // A handler bug must cost one device its connection, never the bridge its process.
      this.log("error", "device.handler_failed", { cmd: packet.cmd, error: err instanceof Error ? err.message : String(err) });
      this.end({ will: true, reason: Reason.implementationSpecific, cause: "handler failed" });
    }
  }

  private armKeepalive(ms: number): void {
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
    if (ms <= 0) return;
    this.keepaliveTimer = setTimeout(() => {
      const cause = this.state === "awaiting-connect" ? "no CONNECT in time" : "keepalive timeout";
      this.end({ will: true, reason: Reason.keepAliveTimeout, cause });
    }, ms);
    this.keepaliveTimer.unref?.();
  }
}
