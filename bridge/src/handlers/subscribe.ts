import type { ISubscribePacket, ISubscription } from "mqtt-packet";
import { isWorkerKind } from "../../../src/identity/kinds";
import type { DeviceConnection } from "../device-connection";
import type { SubscriptionOptions } from "../device-subscriptions";
import { Reason, subackReasonForError } from "../reason-codes";
import { hasNul, parseSubscription } from "../topics";

/** MQTT 3.1.1 SUBACK failure [MQTT-3.9.3-2]. */
const FAILURE_311 = 0x80;

/**
 * SUBSCRIBE: each filter becomes a channel `sub`, a `serve` (API requests), or a local switch
 * (Directs, API results). SUBACK goes out only once the edge has acked every `sub`/`serve` of the
 * packet, so a device that has its SUBACK receives every later message. QoS 2 is granted as QoS 1.
 *
 * @example
 * ```ts
 * handleSubscribe(conn, { cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "nexus/channel/prices", qos: 1 }] });
 * ```
 */
export function handleSubscribe(conn: DeviceConnection, packet: ISubscribePacket): void {
  if (conn.version === 5 && packet.properties?.subscriptionIdentifier !== undefined) {
    // Subscription Identifiers Available is 0 in CONNACK: using one is a protocol error.
    conn.end({ will: true, reason: Reason.subscriptionIdentifiersNotSupported, cause: "subscription identifier" });
    return;
  }
  if (packet.subscriptions.some((sub) => hasNul(sub.topic))) {
    // [MQTT-4.7.3-2] a topic filter must not hold U+0000: a malformed packet, which closes the connection.
    conn.end({ will: true, reason: Reason.malformedPacket, reasonString: "U+0000 in a topic filter", cause: "NUL in filter" });
    return;
  }
  // [MQTT-3.8.4-1] the SUBACK carries the packet id; [MQTT-3.8.4-6] one return code per filter, in order.
  const results = packet.subscriptions.map((s) => subscribeOne(conn, s));
  void Promise.all(results).then((granted) => {
    if (conn.state !== "connected") return;
    const codes = conn.version === 5 ? granted : granted.map((g) => (g >= 0x80 ? FAILURE_311 : g));
    conn.write({ cmd: "suback", messageId: packet.messageId, granted: codes });
  });
}

async function subscribeOne(conn: DeviceConnection, s: ISubscription): Promise<number> {
  const qos: 0 | 1 = s.qos === 0 ? 0 : 1;
  const options: SubscriptionOptions = { qos, noLocal: s.nl === true, retainHandling: s.rh ?? 0 };
  const target = parseSubscription(s.topic);
  const subs = conn.subscriptions;
  const session = conn.session!;
  switch (target.kind) {
    case "invalid":
      conn.log("warn", "device.subscribe_refused", { filter: s.topic, reason: target.reason });
      if (target.shared) return Reason.sharedSubscriptionsNotSupported;
      if (target.wildcard) return Reason.wildcardSubscriptionsNotSupported;
      return Reason.topicFilterInvalid;
    case "api-result":
    case "inbox":
      // Answers go to the calling device whatever it subscribed; the grant is what strict clients wait for.
      subs.results.set(s.topic, options);
      return qos;
    case "direct":
      // Only workers receive Directs; a frontend resource would never get one.
      if (!isWorkerKind(session.identity.kind)) return Reason.notAuthorized;
      subs.direct = options;
      return qos;
    case "channel": {
      const before = subs.channels.get(target.channel);
      subs.channels.set(target.channel, options);
      const refused = await session.subscribe(target.channel);
      if (refused !== undefined) {
        if (before) subs.channels.set(target.channel, before);
        else subs.channels.delete(target.channel);
        conn.log("warn", "device.subscribe_refused", { filter: s.topic, code: refused });
        return subackReasonForError(refused);
      }
      return qos;
    }
    case "serve": {
      const earlier = subs.servedBy(s.topic);
      subs.addServe(s.topic, target.method, options);
      const refused = await session.serve(target.method);
      if (refused !== undefined) {
        if (earlier === undefined) subs.removeServe(s.topic);
        conn.log("warn", "device.subscribe_refused", { filter: s.topic, code: refused });
        return subackReasonForError(refused);
      }
      return qos;
    }
  }
}
