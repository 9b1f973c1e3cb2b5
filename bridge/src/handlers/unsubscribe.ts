import type { IUnsubscribePacket } from "mqtt-packet";
import type { DeviceConnection } from "../device-connection";
import { Reason } from "../reason-codes";
import { hasNul, parseSubscription } from "../topics";

/**
 * UNSUBSCRIBE: channel `unsub`, a narrower `serve`, or a local switch; UNSUBACK once the edge has acked.
 * MQTT 5 reason per filter: 0x00, 0x11 (no such subscription) or 0x80.
 *
 * @example
 * ```ts
 * handleUnsubscribe(conn, { cmd: "unsubscribe", messageId: 2, unsubscriptions: ["nexus/channel/prices"] });
 * ```
 */
export function handleUnsubscribe(conn: DeviceConnection, packet: IUnsubscribePacket): void {
  if (packet.unsubscriptions.some(hasNul)) {
    // [MQTT-4.7.3-2] a topic filter must not hold U+0000.
    conn.end({ will: true, reason: Reason.malformedPacket, reasonString: "U+0000 in a topic filter", cause: "NUL in filter" });
    return;
  }
  const results = packet.unsubscriptions.map((filter) => unsubscribeOne(conn, filter));
  void Promise.all(results).then((codes) => {
    if (conn.state !== "connected") return;
    // [MQTT-3.10.4-4] the server MUST respond with UNSUBACK, even when nothing was unsubscribed.
    conn.write({ cmd: "unsuback", messageId: packet.messageId, granted: codes });
  });
}

async function unsubscribeOne(conn: DeviceConnection, filter: string): Promise<number> {
  const subs = conn.subscriptions;
  const target = parseSubscription(filter);
  switch (target.kind) {
    case "channel": {
      if (!subs.channels.delete(target.channel)) return Reason.noSubscriptionExisted;
      return (await conn.session!.unsubscribe(target.channel)) === undefined ? Reason.success : Reason.unspecified;
    }
    case "serve": {
      const method = subs.servedBy(filter);
      if (method === undefined || !subs.removeServe(filter)) return Reason.noSubscriptionExisted;
      // Another filter may still serve the same method ("nexus/api-request/+" and "nexus/api-request/#").
      if (subs.servesMethod(method)) return Reason.success;
      return (await conn.session!.unserve(method)) === undefined ? Reason.success : Reason.unspecified;
    }
    case "direct": {
      const had = subs.direct !== undefined;
      subs.direct = undefined;
      return had ? Reason.success : Reason.noSubscriptionExisted;
    }
    case "api-result":
    case "inbox":
      return subs.results.delete(filter) ? Reason.success : Reason.noSubscriptionExisted;
    default:
      return Reason.noSubscriptionExisted;
  }
}
