import type { IPublishPacket } from "mqtt-packet";
import { answerApiRequest, type Outcome, startApiCall, startFind } from "../api-calls";
import type { DeviceConnection } from "../device-connection";
import { codeOf } from "../edge-session";
import { pubackReasonForError, Reason } from "../reason-codes";
import { hasNul, parsePublishTopic } from "../topics";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * PUBLISH from a device: mapped to a Nexus frame by its topic (see topics.ts) and sent on the
 * device's edge session. QoS 1 gets its PUBACK once the edge has acked (channel publish, Direct)
 * or the frame is sent (API call, find, API answer), with the MQTT 5 reason code of a refusal;
 * MQTT 3.1.1 has no reason codes, so a refused 3.1.1 publish is acknowledged and logged.
 *
 * QoS 2: MQTT 5 devices are told Maximum QoS 1 in CONNACK, and a QoS 2 PUBLISH is answered with
 * DISCONNECT 0x9B [MQTT-3.2.2-11]; MQTT 3.1.1 has no refusal, so the bridge completes the
 * PUBREC/PUBREL/PUBCOMP exchange and forwards the message exactly once.
 *
 * @example
 * ```ts
 * handlePublish(conn, { cmd: "publish", topic: "nexus/channel/prices", payload: "42", qos: 1, messageId: 1, dup: false, retain: true });
 * ```
 */
export function handlePublish(conn: DeviceConnection, packet: IPublishPacket): void {
  const id = packet.messageId ?? 0;
  if (hasNul(packet.topic)) {
    // [MQTT-4.7.3-2] a topic name must not hold U+0000: a malformed packet, which closes the connection.
    conn.end({ will: true, reason: Reason.malformedPacket, reasonString: "U+0000 in the topic name", cause: "NUL in topic" });
    return;
  }
  if (packet.qos === 2 && conn.version === 5) {
    conn.end({ will: true, reason: Reason.qosNotSupported, reasonString: "maximum QoS is 1", cause: "QoS 2 publish" });
    return;
  }
  if (conn.version === 5 && packet.properties?.topicAlias !== undefined) {
    // [MQTT-3.3.2-8] Topic Alias Maximum is 0, so any alias is invalid.
    conn.end({
      will: true,
      reason: Reason.topicAliasInvalid,
      reasonString: "topic aliases are not supported",
      cause: "topic alias",
    });
    return;
  }
  if (packet.qos === 2 && conn.inboundQos2.has(id)) {
    // [MQTT-4.3.3-2] a re-sent QoS 2 PUBLISH before PUBREL is the same message: acknowledge, do not forward again.
    conn.ackInOrder("pubrec", id, Promise.resolve({ code: Reason.success }));
    return;
  }
  if (packet.qos === 2) conn.inboundQos2.add(id);
  const outcome = forward(conn, packet).catch((err: unknown) => ({ code: Reason.unspecified, text: String(err) }));
  if (packet.qos === 0 || conn.version !== 5) {
    void outcome.then((o) => {
      if (o.code >= 0x80) conn.log("warn", "device.publish_refused", { topic: packet.topic, reason: o.code, message: o.text });
    });
  }
  if (packet.qos === 1) conn.ackInOrder("puback", id, outcome);
  else if (packet.qos === 2) conn.ackInOrder("pubrec", id, outcome);
}

async function forward(conn: DeviceConnection, packet: IPublishPacket): Promise<Outcome> {
  const target = parsePublishTopic(packet.topic);
  if (target.kind === "invalid") return { code: Reason.topicNameInvalid, text: target.reason };
  let text: string;
  try {
    text = typeof packet.payload === "string" ? packet.payload : utf8.decode(packet.payload);
  } catch {
    // Nexus data is text; binary payloads are base64-encoded by the device.
    return { code: Reason.payloadFormatInvalid, text: "the payload must be UTF-8 text" };
  }
  const session = conn.session!;
  const qos = packet.qos === 0 ? 0 : 1;
  switch (target.kind) {
    case "channel":
      return outcome(session.publish(target.channel, text, packet.retain, qos));
    case "direct":
      return outcome(session.direct(target, text, qos));
    case "api":
      return startApiCall(conn, packet, target, text);
    case "find":
      return startFind(conn, packet, text);
    case "api-response":
      return answerApiRequest(conn, target.rid, text);
  }
}

/** QoS 0 resolves at once; QoS 1 and 2 once the edge acked (resent after an edge reconnect: at least once). */
async function outcome(sent: Promise<void>): Promise<Outcome> {
  try {
    await sent;
    return { code: Reason.success };
  } catch (err) {
    return {
      code: pubackReasonForError(codeOf(err)),
      text: `${codeOf(err)}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
