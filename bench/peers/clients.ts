import type { Socket } from "node:net";
import mqtt from "mqtt";
import { type NatsConnection, connect as natsConnect } from "nats";
import type { PeerServer } from "./servers";

/** One connection to a peer broker, reduced to what the bench scenarios need. */
export interface PeerClient {
  /** Subscribes and resolves once the server has the subscription. `reply` is the message's reply subject or response topic. */
  subscribe(topic: string, onMessage: (payload: string, reply: string | undefined) => void): Promise<void>;
  /** Publishes at most once (MQTT QoS 0, NATS core), optionally asking for an answer on `reply`. */
  publish(topic: string, payload: string, reply?: string): void;
  close(): Promise<void>;
}

/** How a peer names topics: MQTT separates levels with `/`, NATS with `.`. */
export interface PeerDriver {
  name: string;
  topic(...levels: string[]): string;
  connect(): Promise<PeerClient>;
}

let clientSeq = 0;

function mqttDriver(server: PeerServer): PeerDriver {
  return {
    name: `mosquitto ${server.version}`,
    topic: (...levels) => levels.join("/"),
    async connect() {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.port}`, {
        protocolVersion: 5,
        clientId: `bench-peer-${process.pid}-${clientSeq++}`,
        reconnectPeriod: 0,
      });
      // As in the bridge scenario: MQTT.js leaves Nagle on, which would make pipelined PUBLISHes wait for TCP acks.
      (c.stream as Socket).setNoDelay(true);
      const handlers = new Map<string, (payload: string, reply: string | undefined) => void>();
      c.on("message", (topic, payload, packet) => handlers.get(topic)?.(payload.toString(), packet.properties?.responseTopic));
      return {
        async subscribe(topic, onMessage) {
          handlers.set(topic, onMessage);
          await c.subscribeAsync(topic, { qos: 0 });
        },
        publish(topic, payload, reply) {
          c.publish(topic, payload, reply ? { qos: 0, properties: { responseTopic: reply } } : { qos: 0 });
        },
        async close() {
          await c.endAsync(true);
        },
      };
    },
  };
}

function natsDriver(server: PeerServer): PeerDriver {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return {
    name: `NATS ${server.version}`,
    topic: (...levels) => levels.join("."),
    async connect() {
      const nc: NatsConnection = await natsConnect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
      return {
        async subscribe(topic, onMessage) {
          nc.subscribe(topic, { callback: (_err, msg) => onMessage(dec.decode(msg.data), msg.reply) });
          await nc.flush(); // the server has the SUB once its PONG is back
        },
        publish(topic, payload, reply) {
          nc.publish(topic, enc.encode(payload), reply ? { reply } : undefined);
        },
        async close() {
          await nc.close();
        },
      };
    },
  };
}

/**
 * The client side of each peer server: MQTT.js (MQTT 5) for mosquitto, nats.js for nats-server.
 *
 * @example
 * ```ts
 * const driver = peerDriver(server); const c = await driver.connect();
 * ```
 */
export function peerDriver(server: PeerServer): PeerDriver {
  return server.name === "mosquitto" ? mqttDriver(server) : natsDriver(server);
}
