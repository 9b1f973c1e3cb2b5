import mqtt, { type MqttClient } from "mqtt";
import { nextEvent } from "./next-event";

/** One thing a device saw, with the moment the test saw it (`performance.now()`). */
export interface DeviceEvent {
  event: "connect" | "close" | "msg";
  at: number;
  text?: string;
}

/** What a fault device does: serve `method` (answered `{by:"device", data}`) and subscribe `channel`. */
export interface FaultDeviceOptions {
  port: number;
  token: string;
  username: string;
  version: 4 | 5;
  method?: string;
  channel?: string;
}

/**
 * A real MQTT.js device behind the bridge that reconnects by itself as MQTT.js does by default (every
 * second, resubscribing its topics), so a test can kill the bridge under it.
 *
 * @example
 * ```ts
 * const dev = await FaultDevice.connect({ port: bridge.port, token, username: "device1", version: 5, method: "ping" });
 * await dev.next((e) => e.event === "connect", "a reconnect", dev.events.length);
 * ```
 */
export class FaultDevice {
  readonly events: DeviceEvent[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    const record = (e: Omit<DeviceEvent, "at">) => {
      this.events.push({ ...e, at: performance.now() });
      for (const l of this.listeners) l();
    };
    client.on("connect", () => record({ event: "connect" }));
    client.on("close", () => record({ event: "close" }));
    // Refused reconnects while the bridge is away: MQTT.js retries by itself.
    client.on("error", () => {});
    client.on("message", (topic, payload, packet) => {
      const text = payload.toString("utf8");
      if (topic.startsWith("nexus/channel/")) record({ event: "msg", text });
      if (!topic.startsWith("nexus/api-request/")) return;
      const { rid, data } = JSON.parse(text) as { rid: string; data: unknown };
      const answer = JSON.stringify({ ok: true, data: { by: "device", data } });
      const responseTopic = packet.properties?.responseTopic;
      if (responseTopic)
        client.publish(responseTopic, answer, { qos: 1, properties: { correlationData: packet.properties!.correlationData! } });
      else client.publish(`nexus/api-response/${rid}`, answer, { qos: 1 });
    });
  }

  /** Connects and subscribes (SUBACK comes once the edge acked, so the device is then reachable). */
  static async connect(o: FaultDeviceOptions): Promise<FaultDevice> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${o.port}`, {
      protocolVersion: o.version,
      username: o.username,
      password: o.token,
      reconnectPeriod: 1000,
      connectTimeout: 30_000,
    });
    const device = new FaultDevice(client);
    device.events.push({ event: "connect", at: performance.now() });
    const topics = [o.method && `nexus/api-request/${o.method}`, o.channel && `nexus/channel/${o.channel}`].filter(
      Boolean,
    ) as string[];
    if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
    return device;
  }

  /** The first event at index `from` or later that matches, waiting for it; rejects after `timeoutMs`. */
  next(match: (e: DeviceEvent) => boolean, what: string, from = 0, timeoutMs = 60_000): Promise<DeviceEvent> {
    return nextEvent(
      { events: this.events, listeners: this.listeners },
      match,
      from,
      timeoutMs,
      () => new Error(`device ${this.client.options.username}: no ${what} within ${timeoutMs} ms`),
    );
  }

  /** The texts of every channel message so far. */
  messages(): string[] {
    return this.events.filter((e) => e.event === "msg").map((e) => e.text!);
  }

  /** Ends the connection for good (no reconnect). */
  async end(): Promise<void> {
    await this.client.endAsync(true);
  }
}
