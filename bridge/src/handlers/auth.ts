import type { DeviceConnection } from "../device-connection";
import { Reason } from "../reason-codes";

/**
 * AUTH (MQTT 5 enhanced authentication): not offered; the token in the password is the only
 * credential. CONNECT with an Authentication Method is refused with 0x8C, so an AUTH packet
 * here is a protocol error [MQTT-4.12.0-1].
 *
 * @example
 * ```ts
 * handleAuth(connection); // DISCONNECT 0x82 and close
 * ```
 */
export function handleAuth(conn: DeviceConnection): void {
  conn.end({
    will: true,
    reason: Reason.protocolError,
    reasonString: "enhanced authentication is not supported",
    cause: "AUTH packet",
  });
}
