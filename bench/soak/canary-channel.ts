import { connect, type NexusClient } from "@qe/nexus-sdk";
import type { CanaryEnv } from "./canary-api";
import { codeOf, pause, within } from "./pace";
import { SequenceTally } from "./sequence-tally";

/** What one subscriber of the channel canary got of the publisher's numbered messages. */
export interface SubscriberCounts {
  kind: string;
  got: number;
  /** Acked messages that never arrived while it stayed subscribed: the edge lost them. */
  lost: number;
  /** Acked messages that did not arrive because its socket dropped and the resubscribe did not recover them. */
  missedWhileAway: number;
  duplicated: number;
  outOfOrder: number;
  /** Jumps in the channel's `seq` while it stayed subscribed (only the canary publishes on this channel). */
  seqGaps: number;
  reconnects: number;
}

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
  kind: string;
  nx: NexusClient;
  tally: SequenceTally;
  /** Numbers (from, to] that a socket drop without recovery excuses. */
  away: [number, number][];
  seqGaps: number;
  reconnects: number;
}

/**
 * The channel canary: in an app of its own, a publisher sends numbered messages 0, 1, 2, ... on one
 * channel (`ratePerSec`, acked, at most 16 in flight) to two subscribers that stay subscribed (a
 * frontend and a worker). Every acked message must reach each subscriber once, in order.
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
): Promise<ChannelCanary> {
  const channel = `${where.app}/beat`;
  const token = await env.token(where.owner, where.app);
  const open = (kind: string) => connect({ url: env.url, token, kind, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } });
  const publisher = await open("webuo");
  let issued = 0;
  const subscribers: Subscriber[] = [];
  let check: (() => void) | undefined;
  for (const kind of ["webuo", "default"]) {
    const s: Subscriber = { kind, nx: await open(kind), tally: new SequenceTally(), away: [], seqGaps: 0, reconnects: 0 };
    let lastSeq: number | undefined;
    await s.nx.subscribe(channel, (text, m) => {
      if (lastSeq !== undefined && m.seq > lastSeq + 1) s.seqGaps += m.seq - lastSeq - 1;
      lastSeq = m.seq;
      s.tally.receive(Number(text));
      check?.();
    });
    let up = true;
    let lastBeforeDrop = -1;
    s.nx.on("state", (state) => {
      if (state !== "connected" && up) {
        up = false;
        lastBeforeDrop = s.tally.max;
      }
      if (state === "connected" && !up) {
        up = true;
        s.reconnects++;
        // Resubscribed: every number issued from now on must arrive; those since the drop may not have.
        s.away.push([lastBeforeDrop, issued - 1]);
        lastSeq = undefined;
      }
    });
    subscribers.push(s);
  }
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
  const stopping = new AbortController();
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
      await loop;
      await within(Promise.all(inFlight), 40_000);
      const complete = () => subscribers.every((s) => acked.every((n) => s.tally.has(n) || excused(s, n)));
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
        subscribers: subscribers.map((s) => {
          const missing = s.tally.missing(acked.sort((a, b) => a - b));
          const away = missing.filter((n) => excused(s, n)).length;
          return {
            kind: s.kind,
            ...s.tally.counts(),
            lost: missing.length - away,
            missedWhileAway: away,
            seqGaps: s.seqGaps,
            reconnects: s.reconnects,
          };
        }),
      };
    },
  };
}

function excused(s: Subscriber, n: number): boolean {
  return s.away.some(([from, to]) => n > from && n <= to);
}
