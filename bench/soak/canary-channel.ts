import { connect, type NexusClient, type WebSocketConstructor } from "@qe/nexus-sdk";
import type { CanaryEnv } from "./canary-api";
import { droppableSocket } from "./droppable-socket";
import { codeOf, pause, within } from "./pace";
import { type SubscriberCounts, SubscriberLedger } from "./subscriber-ledger";

/** What the channel canary exchanged. */
export interface ChannelCanaryCounts {
  /** Publishes the edge acked. */
  sent: number;
  /** Publishes refused, by code (not expected to arrive). */
  refused: Record<string, number>;
  /** Publishes whose ack was lost with the publisher's socket: they may or may not have gone out. */
  uncertain: number;
  publisherReconnects: number;
  subscribers: SubscriberCounts[];
}

/** A running canary: `stop()` stops publishing, waits for every acked message to arrive, and counts. */
export interface ChannelCanary {
  stop(): Promise<ChannelCanaryCounts>;
}

interface Subscriber {
  nx: NexusClient;
  ledger: SubscriberLedger;
}

/**
 * The channel canary: in an app of its own, a publisher sends numbered messages 0, 1, 2, ... on one
 * channel (`ratePerSec`, acked, at most 16 in flight) to three subscribers: a frontend and a worker
 * that stay subscribed, and a frontend whose socket is dropped every `dropEveryMs` (the SDK
 * reconnects and resubscribes, recovering what it missed through the channel's history). Every acked
 * message must reach each subscriber once, in order; only a resubscribe that the edge said it could
 * not recover excuses what was published while that subscriber was away.
 *
 * @example
 * ```ts
 * const canary = await startChannelCanary(env, { app: "soak-canary-chan", owner: "canarychan" }, 20);
 * const counts = await canary.stop(); // every subscriber: lost 0, duplicated 0, outOfOrder 0
 * ```
 */
export async function startChannelCanary(
  env: CanaryEnv,
  where: { app: string; owner: string },
  ratePerSec: number,
  dropEveryMs = 30_000,
): Promise<ChannelCanary> {
  const channel = `${where.app}/beat`;
  const token = await env.token(where.owner, where.app);
  const open = (kind: string, WebSocket?: WebSocketConstructor) =>
    connect({ url: env.url, token, kind, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 }, WebSocket });
  const publisher = await open("webuo");
  let issued = 0;
  const subscribers: Subscriber[] = [];
  let check: (() => void) | undefined;
  const stopping = new AbortController();
  const dropped = droppableSocket();
  const who = [
    { kind: "webuo", label: "webuo" },
    { kind: "default", label: "default" },
    { kind: "webuo", label: `webuo, dropped every ${dropEveryMs / 1000} s`, sock: dropped },
  ];
  for (const { kind, label, sock } of who) {
    const s: Subscriber = { nx: await open(kind, sock?.WebSocket), ledger: new SubscriberLedger(label) };
    const sub = await s.nx.subscribe(channel, (text, m) => {
      s.ledger.message(Number(text), m.seq);
      check?.();
    });
    s.nx.on("state", (state) => {
      if (state !== "connected") s.ledger.dropped();
    });
    // Told when the new sub's ack arrives, before what it recovered: every number issued from now
    // on must arrive; those since the drop too, unless the edge said it could not recover them.
    sub.on("resubscribed", (e) => s.ledger.resubscribed(e.recovered, issued));
    subscribers.push(s);
  }
  // The third subscriber loses its socket now and then (no close frame) and must get everything anyway.
  const drops = (async () => {
    while (await pause(dropEveryMs, stopping.signal)) dropped.drop();
  })();
  let publisherReconnects = 0;
  let publisherUp = true;
  publisher.on("state", (state) => {
    if (state !== "connected") publisherUp = false;
    else if (!publisherUp) {
      publisherUp = true;
      publisherReconnects++;
    }
  });

  const acked: number[] = [];
  const refused: Record<string, number> = {};
  let uncertain = 0;
  const inFlight = new Set<Promise<void>>();
  const publish = (n: number) => {
    const done = publisher.publish(channel, String(n), { ack: true }).then(
      () => {
        acked.push(n);
      },
      (err) => {
        const code = codeOf(err);
        if (code === "disconnected") uncertain++;
        else refused[code] = (refused[code] ?? 0) + 1;
      },
    );
    const tracked = done.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const loop = (async () => {
    while (await pause(1000 / ratePerSec, stopping.signal)) if (inFlight.size < 16) publish(issued++);
  })();

  return {
    async stop() {
      stopping.abort();
      await Promise.all([loop, drops]);
      await within(Promise.all(inFlight), 40_000);
      acked.sort((a, b) => a - b);
      const complete = () => subscribers.every((s) => s.ledger.complete(acked));
      // Every acked message is on its way: wait for its arrival (the event), at most 30 s.
      if (!complete()) {
        await within(
          new Promise<void>((resolve) => {
            check = () => {
              if (complete()) resolve();
            };
          }),
          30_000,
        );
      }
      check = undefined;
      await Promise.all([publisher.close(), ...subscribers.map((s) => s.nx.close())]);
      return {
        sent: acked.length,
        refused,
        uncertain,
        publisherReconnects,
        subscribers: subscribers.map((s) => s.ledger.counts(acked)),
      };
    },
  };
}
