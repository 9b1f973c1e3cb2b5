import type { DeviceConnection } from "../device-connection";

/**
 * PINGREQ: answered by the bridge itself; the edge session has its own keepalive.
 *
 * @example
 * ```ts
 * handlePingreq(connection); // writes PINGRESP
 * ```
 */
export function handlePingreq(conn: DeviceConnection): void {
  // [MQTT-3.12.4-1] the server MUST send a PINGRESP in response to a PINGREQ.
  conn.write({ cmd: "pingresp" });
}
