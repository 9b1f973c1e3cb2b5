import type { IDisconnectPacket } from "mqtt-packet";
import type { DeviceConnection } from "../device-connection";

/** MQTT 5 DISCONNECT reason 0x04: "disconnect, but publish my will". */
const DISCONNECT_WITH_WILL = 0x04;

/**
 * DISCONNECT from the device: a clean end, the will is discarded [MQTT-3.14.4-3] (cleared at
 * the edge, then the session closes), except MQTT 5 reason 0x04, which asks for it: then the
 * session closes with the will in force and the edge publishes it.
 *
 * @example
 * ```ts
 * handleDisconnect(connection, { cmd: "disconnect" });
 * ```
 */
export function handleDisconnect(conn: DeviceConnection, packet: IDisconnectPacket): void {
  const will = conn.version === 5 && packet.reasonCode === DISCONNECT_WITH_WILL;
  conn.end({ will, cause: "device sent DISCONNECT" });
}
