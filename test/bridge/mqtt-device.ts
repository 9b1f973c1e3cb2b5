import mqtt, { type IClientOptions, type IClientPublishOptions, type IPublishPacket, type MqttClient, type Packet } from "mqtt";
import type { TestStack } from "../support/stack";

/** One message a test device received. */
export interface Received {
  topic: string;
  text: string;
  packet: IPublishPacket;
}

/**
 * A real MQTT.js client connected to the bridge, with a queue of what it received so a test can
 * wait for the next message (no sleeps) and check nothing else arrived.
 */
export interface TestDevice {
  client: MqttClient;
  /** Resolves with the next message matching `topic` (string or predicate), queued or future. */
  next(topic?: string | ((topic: string) => boolean), timeoutMs?: number): Promise<Received>;
  /** Messages received and not yet taken by `next`. */
  readonly unread: Received[];
  /** Resolves when the bridge closes this device's connection, with the MQTT 5 DISCONNECT reason if one came. */
  closed: Promise<{ disconnectReason?: number }>;
  end(): Promise<void>;
}

export interface DeviceOptions {
  version?: 4 | 5;
  username?: string;
  token: string;
  /** Connect over WebSocket instead of TCP. */
  websocket?: boolean;
  options?: IClientOptions;
}

/**
 * Connects a device to the stack's bridge; rejects with MQTT.js's error (its `code` is the CONNACK code) when refused.
 *
 * @example
 * ```ts
 * const dev = await connectDevice(s, { token, username: "device01", version: 5 });
 * ```
 */
export async function connectDevice(s: Pick<TestStack, "mqttPort" | "mqttWsPort">, o: DeviceOptions): Promise<TestDevice> {
  const url = o.websocket ? `ws://127.0.0.1:${s.mqttWsPort}/mqtt` : `mqtt://127.0.0.1:${s.mqttPort}`;
  const client = mqtt.connect(url, {
    protocolVersion: o.version ?? 4,
    username: o.username,
    password: o.token,
    reconnectPeriod: 0,
    connectTimeout: 15_000,
    ...o.options,
  });
  const unread: Received[] = [];
  const waiters: Array<{ match: (r: Received) => boolean; resolve: (r: Received) => void }> = [];
  client.on("message", (topic, payload, packet) => {
    const r = { topic, text: payload.toString("utf8"), packet };
    const i = waiters.findIndex((w) => w.match(r));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(r);
    else unread.push(r);
  });
  let disconnectReason: number | undefined;
  client.on("disconnect", (packet) => {
    disconnectReason = packet.reasonCode;
  });
  const closed = new Promise<{ disconnectReason?: number }>((resolve) => client.on("close", () => resolve({ disconnectReason })));
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", (err) => {
      client.end(true);
      reject(err);
    });
    client.once("close", () => reject(new Error("closed before CONNACK")));
  });
  return {
    client,
    unread,
    closed,
    next(topic, timeoutMs = 10_000) {
      const match = (r: Received) => topic === undefined || (typeof topic === "string" ? r.topic === topic : topic(r.topic));
      const i = unread.findIndex(match);
      if (i >= 0) return Promise.resolve(unread.splice(i, 1)[0]!);
      return new Promise<Received>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message on ${String(topic)} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      });
    },
    end: () => client.endAsync(),
  };
}

/**
 * The CONNACK code of a refused connection (MQTT.js puts it on the error).
 *
 * @example
 * ```ts
 * expect(await refusal(connectDevice(s, { token: "bad" }))).toBe(5);
 * ```
 */
export async function refusal(connecting: Promise<TestDevice>): Promise<number | undefined> {
  try {
    const dev = await connecting;
    await dev.end();
    return 0;
  } catch (err) {
    return (err as { code?: number }).code;
  }
}

/**
 * Publishes at QoS 1 and resolves with the PUBACK's reason code (0 for MQTT 3.1.1, whose PUBACK has none),
 * read from the PUBACK packet itself since MQTT.js hides success codes such as 0x10.
 *
 * @example
 * ```ts
 * expect(await pubackCode(dev.client, "bad/topic", "x")).toBe(0x90);
 * ```
 */
export function pubackCode(
  client: MqttClient,
  topic: string,
  payload: string | Buffer,
  options: IClientPublishOptions = {},
): Promise<number> {
  return new Promise((resolve) => {
    const acks = new Map<number, number>();
    const onPacket = (packet: Packet) => {
      if (packet.cmd === "puback" && packet.messageId !== undefined) acks.set(packet.messageId, packet.reasonCode ?? 0);
    };
    client.on("packetreceive", onPacket);
    client.publish(topic, payload, { ...options, qos: 1 }, (_err, packet) => {
      client.off("packetreceive", onPacket);
      resolve(acks.get(packet?.messageId ?? -1) ?? -1);
    });
  });
}

/**
 * The SUBACK codes, one per filter: MQTT.js resolves when all were granted and rejects with the packet otherwise.
 *
 * @example
 * ```ts
 * expect(await subackCodes(dev.client.subscribeAsync({ "nexus/channel/#": { qos: 1 } }))).toEqual([0xa2]);
 * ```
 */
export async function subackCodes(subscribing: Promise<Array<{ qos: number }>>): Promise<number[]> {
  try {
    return (await subscribing).map((g) => g.qos);
  } catch (err) {
    return (err as { packet: { granted: number[] } }).packet.granted;
  }
}
