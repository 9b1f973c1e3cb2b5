import type { Packet } from "mqtt-packet";
import type { DeviceConnection } from "../device-connection";
import { Reason } from "../reason-codes";
import { handleAuth } from "./auth";
import { handleConnect } from "./connect";
import { handleDisconnect } from "./disconnect";
import { handlePingreq } from "./pingreq";
import { handlePuback } from "./puback";
import { handlePublish } from "./publish";
import { handlePubrel } from "./pubrel";
import { handleSubscribe } from "./subscribe";
import { handleUnsubscribe } from "./unsubscribe";

/**
 * Routes one parsed packet from a device to its handler, after the connection-state rules
 * that apply to every packet type.
 *
 * @example
 * ```ts
 * parser.on("packet", (packet) => handlePacket(connection, packet));
 * ```
 */
export function handlePacket(conn: DeviceConnection, packet: Packet): void {
  if (conn.state === "awaiting-connect") {
    // [MQTT-3.1.0-1] the first packet from the client MUST be CONNECT.
    if (packet.cmd !== "connect") {
      conn.end({ will: false, cause: `first packet was ${packet.cmd}, not connect` });
      return;
    }
    handleConnect(conn, packet);
    return;
  }
  if (packet.cmd === "connect") {
    // [MQTT-3.1.0-2] a second CONNECT is a protocol violation.
    conn.end({ will: true, reason: Reason.protocolError, reasonString: "second CONNECT", cause: "second CONNECT" });
    return;
  }
  if (conn.state === "connecting") {
    // Clients may send packets right after CONNECT, before CONNACK; they run once the session is open.
    if (conn.early.length >= 100) {
      conn.end({ will: false, cause: "too many packets before CONNACK" });
      return;
    }
    conn.early.push(packet);
    return;
  }
  if (conn.state !== "connected") return;
  switch (packet.cmd) {
    case "publish":
      handlePublish(conn, packet);
      return;
    case "puback":
      handlePuback(conn, packet);
      return;
    case "pubrel":
      handlePubrel(conn, packet);
      return;
    case "subscribe":
      handleSubscribe(conn, packet);
      return;
    case "unsubscribe":
      handleUnsubscribe(conn, packet);
      return;
    case "pingreq":
      handlePingreq(conn);
      return;
    case "disconnect":
      handleDisconnect(conn, packet);
      return;
    case "auth":
      handleAuth(conn);
      return;
    case "pubrec":
    case "pubcomp":
      // The bridge never sends QoS 2, so there is no exchange these could belong to.
      conn.log("warn", "device.unexpected_packet", { cmd: packet.cmd });
      return;
    default:
      // CONNACK, SUBACK, UNSUBACK, PINGRESP only travel from server to client.
      conn.end({
        will: true,
        reason: Reason.protocolError,
        reasonString: `${packet.cmd} from a client`,
        cause: `client sent ${packet.cmd}`,
      });
  }
}
