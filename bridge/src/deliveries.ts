import type { ChannelMessage, Identity } from "../../sdk/src/core";
import type { DeviceConnection } from "./device-connection";
import type { ApiRequest } from "./edge-session";
import { apiResponseTopic, channelTopic, DIRECT_TOPIC } from "./topics";

/**
 * A channel message for this device, written as a PUBLISH on `nexus/channel/<name>` (a retained one
 * with the retain flag). MQTT 5 deliveries carry the sender's JID in the user property `nexus-from`.
 *
 * @example
 * ```ts
 * deliverMessage(connection, { channel: "prices", text: "42", from, seq: 7, retained: false });
 * ```
 */
export function deliverMessage(conn: DeviceConnection, message: ChannelMessage): void {
  const sub = conn.subscriptions.channels.get(message.channel);
  if (!sub) return;
  if (sub.noLocal && message.from.jid === conn.session?.identity.jid) return;
  // MQTT 5 Retain Handling 2: no retained messages at subscribe time.
  if (message.retained && sub.retainHandling === 2) return;
  conn.deliver({
    topic: channelTopic(message.channel),
    payload: message.text,
    qos: sub.qos,
    // [MQTT-3.3.1-8] retained messages sent because of a new subscription carry RETAIN 1; live ones 0 [MQTT-3.3.1-9].
    retain: message.retained,
    properties: conn.fromProperties(message.from.jid, { "nexus-seq": String(message.seq) }),
  });
}

/**
 * A Direct for this device, written on `nexus/direct` when the device subscribed to it.
 *
 * @example
 * ```ts
 * deliverDirect(connection, "reboot", from); // PUBLISH nexus/direct "reboot"
 * ```
 */
export function deliverDirect(conn: DeviceConnection, text: string, from: Identity): void {
  const sub = conn.subscriptions.direct;
  if (!sub) {
    conn.log("debug", "device.direct_dropped", { reason: "not subscribed to nexus/direct", from: from.jid });
    return;
  }
  conn.deliver({ topic: DIRECT_TOPIC, payload: text, qos: sub.qos, properties: conn.fromProperties(from.jid) });
}

/**
 * An API request for this device, written on `nexus/api-request[/<method>]` as `{"rid","method","from","data"}`;
 * MQTT 5 requests carry Response Topic `nexus/api-response/<rid>` and Correlation Data `<rid>`.
 *
 * @example
 * ```ts
 * deliverRequest(connection, { rid: "r9", method: "sum", from, data: { a: 1 } });
 * ```
 */
export function deliverRequest(conn: DeviceConnection, request: ApiRequest): void {
  const route = conn.subscriptions.requestDelivery(request.method);
  if (!route) {
    // Unsubscribed between the edge choosing this device and the request arriving.
    conn.session?.answer(request.rid, {
      ok: false,
      error: { code: "app_error", message: "the device no longer serves this method" },
    });
    return;
  }
  const properties =
    conn.version === 5
      ? {
          responseTopic: apiResponseTopic(request.rid),
          correlationData: Buffer.from(request.rid, "utf8"),
          userProperties: { "nexus-from": request.from.jid },
        }
      : undefined;
  const payload = JSON.stringify({ rid: request.rid, method: request.method, from: request.from, data: request.data });
  conn.deliver({ topic: route.topic, payload, qos: route.qos, properties });
}
