import type { IConnackPacket, IConnectPacket } from "mqtt-packet";
import { isNexusError } from "../../../sdk/src/core";
import { parseResource, randomSuffix } from "../../../src/identity/kinds";
import { NAME_PATTERN } from "../../../src/protocol/codec";
import { deliverDirect, deliverMessage, deliverRequest } from "../deliveries";
import type { DeviceConnection } from "../device-connection";
import { EdgeSession, type SessionEnd } from "../edge-session";
import { OutboundWindow } from "../outbound-window";
import { connackReasonForRefusal, connackReturnCode311, disconnectReasonForClose, Reason } from "../reason-codes";
import { handlePacket } from "./index";

/** The kind a device gets when its CONNECT has no username. */
const DEFAULT_KIND = "device";

/** The Reason String of a refused username (MQTT 5); 3.1.1 devices get return code 4 and the bridge logs it. */
export const USERNAME_RULE =
  "the username must be the device's resource: <kind><suffix>, a kind (device, default, pydefault, godefault, ...) " +
  "followed by up to 32 letters or digits, e.g. device01 or deviceKitchen; empty for device<random>";

/**
 * CONNECT: checks what the bridge can check itself, then opens the device's own edge session
 * with its token (the password) and resource (the username). CONNACK waits for the edge's welcome,
 * so a device that got CONNACK is a reachable block.
 *
 * @example
 * ```ts
 * handleConnect(connection, packet); // CONNACK 0 once the edge welcomed the device, else a refusal and close
 * ```
 */
export function handleConnect(conn: DeviceConnection, packet: IConnectPacket): void {
  conn.connect = packet;
  conn.version = packet.protocolVersion === 5 ? 5 : packet.protocolVersion === 3 ? 3 : 4;
  conn.clientId = packet.clientId;
  conn.state = "connecting";
  conn.log = conn.log.child({ clientId: packet.clientId, username: packet.username });

  const refusal = checkConnect(conn, packet);
  if (refusal) {
    refuse(conn, refusal.reason, refusal.text);
    return;
  }
  if (conn.version === 5) {
    const max = packet.properties?.receiveMaximum;
    if (max !== undefined && max > 0) conn.outbound = new OutboundWindow(max);
  }
  // Until CONNACK the edge session's own connect timeout bounds the wait; the device's keepalive starts at CONNACK.
  conn.startKeepalive(0);

  const token = (packet.password as Buffer).toString("utf8");
  const target = packet.username ? { resource: packet.username } : { kind: DEFAULT_KIND };
  EdgeSession.open({
    edgeUrl: conn.context.edgeUrl,
    token,
    target,
    log: conn.log,
    reconnect: conn.context.reconnect,
    onMessage: (message) => deliverMessage(conn, message),
    onDirect: (text, from) => deliverDirect(conn, text, from),
    onRequest: (request) => deliverRequest(conn, request),
    onEnd: (end: SessionEnd) => onSessionEnd(conn, end),
  }).then(
    (session) => {
      if (conn.state !== "connecting") {
        // The device left while the edge was welcoming it.
        void session.close();
        return;
      }
      conn.session = session;
      conn.log = conn.log.child({ jid: session.identity.jid });
      void registerWill(conn, session, packet).then((refused) => {
        if (conn.state !== "connecting") return;
        if (refused) refuse(conn, refused.reason, refused.text);
        else accept(conn, packet);
      });
    },
    (err: unknown) => {
      if (conn.state !== "connecting") return;
      const status = isNexusError(err) ? err.status : undefined;
      const code = isNexusError(err) ? err.code : "internal";
      const message = err instanceof Error ? err.message : String(err);
      // No HTTP status: the edge could not be reached at all, which is "server unavailable" as well.
      const reason = status === undefined ? Reason.serverUnavailable : connackReasonForRefusal(status, code);
      conn.log("warn", "device.refused", { status, code, message });
      refuse(conn, reason, message);
    },
  );
}

function checkConnect(conn: DeviceConnection, packet: IConnectPacket): { reason: number; text: string } | undefined {
  if (packet.protocolVersion === 3) {
    // [MQTT-3.1.2-2] MQTT 3.1 (MQIsdp) is not served: unacceptable protocol level.
    return { reason: Reason.unsupportedProtocolVersion, text: "use MQTT 3.1.1 or 5" };
  }
  if (packet.properties?.authenticationMethod) {
    return {
      reason: Reason.badAuthenticationMethod,
      text: "put the token in the password; enhanced authentication is not supported",
    };
  }
  if (conn.version === 4 && packet.clientId === "" && packet.clean === false) {
    // [MQTT-3.1.3-8] an empty client id with CleanSession 0 is rejected with return code 2.
    return { reason: Reason.clientIdentifierNotValid, text: "an empty client id needs a clean session" };
  }
  if (!packet.password || packet.password.length === 0) {
    return { reason: Reason.notAuthorized, text: "the password must be the device's Nexus token" };
  }
  if (packet.username !== undefined && packet.username !== "" && !parseResource(packet.username)) {
    // The edge would refuse it (400) without saying why in a way MQTT can carry; say the rule here.
    return { reason: Reason.badUserNameOrPassword, text: USERNAME_RULE };
  }
  const will = packet.will;
  if (will) {
    const channel = will.topic.startsWith("nexus/channel/") ? will.topic.slice("nexus/channel/".length) : undefined;
    if (channel === undefined || !NAME_PATTERN.test(channel)) {
      return { reason: Reason.topicNameInvalid, text: "the will topic must be nexus/channel/<name>" };
    }
    // [MQTT-3.2.2-12] a will QoS above Maximum QoS is refused (MQTT 5; 3.1.1 devices are served QoS 2 inbound).
    if (conn.version === 5 && will.qos === 2) return { reason: Reason.qosNotSupported, text: "maximum QoS is 1" };
  }
  return undefined;
}

/**
 * Hands the device's will to the edge before CONNACK, so that from CONNACK on it fires however the
 * session ends, the bridge's own death included (contract "Last will").
 */
async function registerWill(
  conn: DeviceConnection,
  session: EdgeSession,
  packet: IConnectPacket,
): Promise<{ reason: number; text: string } | undefined> {
  const will = packet.will;
  if (!will) return undefined;
  // The will topic was checked before: nexus/channel/<name>.
  const channel = will.topic.slice("nexus/channel/".length);
  const data = typeof will.payload === "string" ? will.payload : will.payload.toString("utf8");
  const refused = await session.setWill(channel, data, will.retain === true);
  if (refused === undefined) return undefined;
  conn.log("warn", "device.will_refused", { channel, code: refused });
  void session.close();
  if (refused === "forbidden") return { reason: Reason.notAuthorized, text: "the token may not publish to the will's channel" };
  if (refused === "too_large") return { reason: Reason.packetTooLarge, text: "the will is larger than the edge's maxFrameBytes" };
  return { reason: Reason.unspecified, text: `the edge refused the will (${refused})` };
}

function refuse(conn: DeviceConnection, reason: number, text: string): void {
  const packet: IConnackPacket = { cmd: "connack", sessionPresent: false };
  if (conn.version === 5) {
    packet.reasonCode = reason;
    packet.properties = { reasonString: text.slice(0, 200) };
  } else {
    packet.returnCode = connackReturnCode311(reason);
  }
  // [MQTT-3.2.2-4] a refusing CONNACK has Session Present 0; [MQTT-3.2.2-5] then the connection is closed.
  conn.write(packet);
  conn.end({ will: false, cause: `refused: ${text}` });
}

function accept(conn: DeviceConnection, packet: IConnectPacket): void {
  const connack: IConnackPacket = { cmd: "connack", sessionPresent: false, returnCode: 0, reasonCode: 0 };
  if (conn.version === 5) {
    connack.properties = {
      // The bridge keeps no session state across connections (it is not a broker), so every session is new.
      sessionExpiryInterval: 0,
      maximumQoS: 1,
      retainAvailable: true,
      maximumPacketSize: conn.context.maxPacketBytes,
      topicAliasMaximum: 0,
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: false,
    };
    // [MQTT-3.2.2-16] an empty client id gets one assigned and announced.
    if (packet.clientId === "") {
      conn.clientId = `nexus${randomSuffix(16)}`;
      connack.properties.assignedClientIdentifier = conn.clientId;
    }
  }
  conn.state = "connected";
  conn.write(connack);
  // [MQTT-3.1.2-24] keepalive is enforced at 1.5 times the announced interval; 0 turns it off.
  conn.startKeepalive(packet.keepalive ?? 0);
  conn.log("info", "device.connected", { version: conn.version });
  for (const early of conn.early.splice(0)) {
    if (conn.state !== "connected") break;
    handlePacket(conn, early);
  }
}

function onSessionEnd(conn: DeviceConnection, end: SessionEnd): void {
  if (conn.state === "closed") return;
  // The edge closed the device's block (replaced 4009, token expired 4001, policy 4008) or refused it on reconnect.
  const { error } = end;
  const reason =
    error?.status === 401 || error?.status === 403 ? Reason.notAuthorized : disconnectReasonForClose(error?.closeCode ?? 1006);
  conn.end({
    will: false,
    reason,
    reasonString: error?.message ?? "the edge closed the session",
    cause: `edge closed ${error?.closeCode ?? error?.status ?? "the session"}`,
  });
}
