import type { Baseline, Figure } from "../context";
import { runWindow } from "../loop";
import { callFigures } from "../scenarios/api";
import { channelFigures } from "../scenarios/channel";
import type { PeerClient, PeerDriver } from "./clients";

/** Where a peer figure is compared: the Nexus scenarios that do the same work, metric for metric. */
export const PEER_COUNTERPARTS: Record<string, string[]> = {
  "pub/sub, 1 to 1": ["Channel, 1 to 1", "Channel, 1 to 1 across apps"],
  "pub/sub, 1 to 100": ["Channel, 1 to 100"],
  "pub/sub, 1 to 1,000": ["Channel, 1 to 1,000"],
  "request/reply": ["API, within one app", "API, across apps"],
};

async function inBatches<T>(n: number, batch: number, open: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, open))));
  return out;
}

async function closeEvery(clients: readonly PeerClient[]): Promise<void> {
  await Promise.allSettled(clients.map((c) => c.close()));
}

/** The same loops, windows and floors as the channel scenario (bench/scenarios/channel.ts). */
async function pubSub(
  driver: PeerDriver,
  baseline: Baseline,
  subscribers: number,
  options: { maxMs: number; scale: number },
): Promise<Figure[]> {
  const topic = driver.topic("bench", "fanout", String(subscribers), String(Date.now()));
  const publisher = await driver.connect();
  let subs: PeerClient[] = [];
  try {
    subs = await inBatches(subscribers, 100, () => driver.connect());
    let done: (k: number) => void = () => {};
    const got = new Map<number, number>();
    await Promise.all(
      subs.map((s) =>
        s.subscribe(topic, (payload) => {
          const k = Number(payload);
          const n = (got.get(k) ?? 0) + 1;
          if (n === subscribers) {
            got.delete(k);
            done(k);
          } else got.set(k, n);
        }),
      ),
    );
    const send = (k: number) => publisher.publish(topic, String(k));
    const attach = (complete: (k: number) => void) => {
      got.clear();
      done = complete;
    };
    const count = (n: number) => Math.max(10, Math.round(n * options.scale));
    const window = 8;
    await runWindow({ count: 200, maxMs: 1000, window: 4, send, attach });
    const serial = await runWindow({
      count: count(subscribers >= 1000 ? 200 : 2000),
      maxMs: options.maxMs,
      window: 1,
      send,
      attach,
    });
    const piped = await runWindow({
      count: count(subscribers >= 1000 ? 500 : 50_000),
      maxMs: options.maxMs,
      window,
      send,
      attach,
    });
    const scenario = `${driver.name}: pub/sub, 1 to ${subscribers.toLocaleString("en")}`;
    return channelFigures(scenario, subscribers, baseline, serial, piped, false);
  } finally {
    await closeEvery([publisher, ...subs]);
  }
}

/** Request/reply as each peer's clients do it: NATS with a reply subject, MQTT 5 with a response topic. */
async function requestReply(
  driver: PeerDriver,
  baseline: Baseline,
  options: { maxMs: number; scale: number },
): Promise<Figure[]> {
  const requests = driver.topic("bench", "req", String(Date.now()));
  const inbox = driver.topic("bench", "inbox", String(Date.now()));
  const responder = await driver.connect();
  const requester = await driver.connect();
  try {
    await responder.subscribe(requests, (payload, reply) => {
      if (reply) responder.publish(reply, payload);
    });
    let done: (k: number) => void = () => {};
    await requester.subscribe(inbox, (payload) => done(Number(payload)));
    const send = (k: number) => requester.publish(requests, String(k), inbox);
    const attach = (complete: (k: number) => void) => {
      done = complete;
    };
    const count = (n: number) => Math.max(10, Math.round(n * options.scale));
    await runWindow({ count: 1000, maxMs: 1000, window: 64, send, attach });
    const serial = await runWindow({ count: count(5000), maxMs: options.maxMs, window: 1, send, attach });
    const piped = await runWindow({ count: count(100_000), maxMs: options.maxMs, window: 64, send, attach });
    return callFigures(`${driver.name}: request/reply`, baseline, serial, piped, false);
  } finally {
    await closeEvery([responder, requester]);
  }
}

/**
 * Runs the peer scenarios against one peer: pub/sub 1 to 1, fan-out 1 to 100 and 1 to 1,000, and
 * request/reply, with the windows and floors of the Nexus scenarios they are compared with. Each
 * figure carries `peer` (the peer's name) and is matched to its Nexus rows by `PEER_COUNTERPARTS`.
 *
 * @example
 * ```ts
 * const figures = await benchPeer(peerDriver(server), baseline, { maxMs: 3000, scale: 1 });
 * ```
 */
export async function benchPeer(
  driver: PeerDriver,
  baseline: Baseline,
  options: { maxMs: number; scale: number },
): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const n of [1, 100, 1000]) figures.push(...(await pubSub(driver, baseline, n, options)));
  figures.push(...(await requestReply(driver, baseline, options)));
  return figures.map((f) => ({ ...f, peer: driver.name }));
}

/**
 * Writes each peer's value into the Nexus figures that do the same work (same metric), as `peers`.
 *
 * @example
 * ```ts
 * attachPeers(run.figures); // Channel, 1 to 1 now has peers: { "NATS 2.9.10": 480000, ... }
 * ```
 */
export function attachPeers(figures: Figure[]): void {
  for (const p of figures) {
    if (!p.peer) continue;
    const kind = p.scenario.slice(p.peer.length + 2);
    for (const target of PEER_COUNTERPARTS[kind] ?? []) {
      for (const f of figures) {
        if (f.peer || f.scenario !== target || f.metric !== p.metric) continue;
        f.peers = { ...f.peers, [p.peer]: p.value };
      }
    }
  }
}
