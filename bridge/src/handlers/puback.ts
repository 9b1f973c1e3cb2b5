import type { IPubackPacket } from "mqtt-packet";
import type { DeviceConnection } from "../device-connection";

/**
 * PUBACK from the device for a QoS 1 delivery: frees its packet id and the next queued delivery goes out.
 *
 * @example
 * ```ts
 * handlePuback(connection, { cmd: "puback", messageId: 7 });
 * ```
 */
export function handlePuback(conn: DeviceConnection, packet: IPubackPacket): void {
  if (packet.messageId === undefined || !conn.outbound.release(packet.messageId)) {
    conn.log("debug", "device.unknown_puback", { messageId: packet.messageId });
  }
}
