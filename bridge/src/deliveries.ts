import type { DeviceConnection } from "./device-connection";
import type { PushedFrame } from "./edge-session";
import { apiResponseTopic, channelTopic, DIRECT_TOPIC } from "./topics";

/**
 * Turns a frame the edge pushed to this device's session into an MQTT PUBLISH to the device:
 * channel messages on `nexus/channel/<name>` (retained ones with the retain flag), Directs on
 * `nexus/direct`, API requests on `nexus/api-request[/<method>]`. MQTT 5 deliveries carry the
 * sender's JID in the user property `nexus-from`.
 *
 * @example
 * ```ts
 * deliverPush(connection, { t: "direct", from, data: "reboot" }); // PUBLISH nexus/direct "reboot"
 * ```
 */
export function deliverPush(conn: DeviceConnection, frame: PushedFrame): void {
  const subs = conn.subscriptions;
  switch (frame.t) {
    case "msg": {
      const sub = subs.channels.get(frame.channel);
      if (!sub) return;
      if (sub.noLocal && frame.from.jid === conn.session?.identity.jid) return;
      // MQTT 5 Retain Handling 2: no retained messages at subscribe time.
      if (frame.retained && sub.retainHandling === 2) return;
      conn.deliver({
        topic: channelTopic(frame.channel),
        payload: frame.data,
        qos: sub.qos,
        // [MQTT-3.3.1-8] retained messages sent because of a new subscription carry RETAIN 1; live ones 0 [MQTT-3.3.1-9].
        retain: frame.retained === true,
        properties: conn.fromProperties(frame.from.jid, { "nexus-seq": String(frame.seq) }),
      });
      return;
    }
    case "direct": {
      const sub = subs.direct;
      if (!sub) {
        conn.log("debug", "device.direct_dropped", { reason: "not subscribed to nexus/direct", from: frame.from.jid });
        return;
      }
      conn.deliver({ topic: DIRECT_TOPIC, payload: frame.data, qos: sub.qos, properties: conn.fromProperties(frame.from.jid) });
      return;
    }
    case "api.req": {
      const route = subs.requestDelivery(frame.method);
      if (!route) {
        // Unsubscribed between the edge choosing this device and the request arriving.
        conn.session?.send({
          t: "api.res",
          rid: frame.rid,
          ok: false,
          error: { code: "no_responders", message: "the device no longer serves this method" },
        });
        return;
      }
      const properties =
        conn.version === 5
          ? {
              responseTopic: apiResponseTopic(frame.rid),
              correlationData: Buffer.from(frame.rid, "utf8"),
              userProperties: { "nexus-from": frame.from.jid },
            }
          : undefined;
      const payload = JSON.stringify({ rid: frame.rid, method: frame.method, from: frame.from, data: frame.data });
      conn.deliver({ topic: route.topic, payload, qos: route.qos, properties });
      return;
    }
  }
}
