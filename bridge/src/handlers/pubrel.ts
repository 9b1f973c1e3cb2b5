import type { IPubrelPacket } from "mqtt-packet";
import type { DeviceConnection } from "../device-connection";
import { Reason } from "../reason-codes";

/**
 * PUBREL: the second half of an inbound QoS 2 exchange (MQTT 3.1.1 devices only; MQTT 5
 * devices are told Maximum QoS 1). The message was forwarded once, at PUBLISH; this only
 * releases the packet id so a later PUBLISH with the same id is a new message.
 *
 * @example
 * ```ts
 * handlePubrel(connection, { cmd: "pubrel", messageId: 3 }); // writes PUBCOMP
 * ```
 */
export function handlePubrel(conn: DeviceConnection, packet: IPubrelPacket): void {
  const id = packet.messageId ?? 0;
  const known = conn.inboundQos2.delete(id);
  // [MQTT-4.3.3-2] the receiver MUST respond to a PUBREL with a PUBCOMP containing the same id.
  conn.write({ cmd: "pubcomp", messageId: id, reasonCode: known ? Reason.success : Reason.packetIdentifierNotFound });
}
