import { connect as connectTcp, type Socket } from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";

/** A bare TCP MQTT client for what a well-behaved library will not send: garbage, wrong order, QoS 2 to MQTT 5. */
export interface RawClient {
  socket: Socket;
  send(packet: Packet): void;
  sendBytes(bytes: Buffer): void;
  /** The next packet from the bridge. */
  next(): Promise<Packet>;
  /** Resolves when the bridge closed the connection. */
  closed: Promise<void>;
}

/**
 * Opens a raw MQTT connection to the bridge.
 *
 * @example
 * ```ts
 * const raw = await rawClient(s.mqttPort!, 5);
 * raw.sendBytes(Buffer.from([0xff, 0xff]));
 * await raw.closed;
 * ```
 */
export async function rawClient(port: number, version: 4 | 5): Promise<RawClient> {
  const socket = connectTcp(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const parser = mqttPacket.parser({ protocolVersion: version });
  const queue: Packet[] = [];
  const waiters: Array<(p: Packet) => void> = [];
  parser.on("packet", (p: Packet) => {
    const w = waiters.shift();
    if (w) w(p);
    else queue.push(p);
  });
  socket.on("data", (chunk) => parser.parse(chunk));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  return {
    socket,
    send: (packet) => socket.write(mqttPacket.generate(packet, { protocolVersion: version })),
    sendBytes: (bytes) => socket.write(bytes),
    next: () => {
      const p = queue.shift();
      if (p) return Promise.resolve(p);
      return new Promise<Packet>((resolve, reject) => {
        waiters.push(resolve);
        closed.then(() => reject(new Error("closed before the next packet")));
      });
    },
    closed,
  };
}
