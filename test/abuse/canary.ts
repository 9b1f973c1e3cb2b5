import { setTimeout as delay } from "node:timers/promises";
import type { TestStack } from "../support/stack";
import type { Block, Received } from "../support/ws-client";

/** What a canary pair exchanged while it ran. */
export interface CanaryCounts {
  calls: { sent: number; ok: number; failed: Received[] };
  messages: { sent: number; acked: number; got: number };
  /** Error frames, unexpected closes and unanswered requests, as either block saw them. */
  trouble: string[];
  /** The slowest round (a call and a publish), in ms: reported, never asserted. */
  slowestRoundMs: number;
}

/** A canary pair at work: `stop()` finishes the round in progress and reports what went through. */
export interface Canary {
  /** Resolves once the pair has completed one more round (a call and a channel message) from now. */
  another(): Promise<void>;
  stop(): Promise<CanaryCounts>;
}

let canaries = 0;

/**
 * Starts a canary pair in an app of its own, which nothing else uses: a worker that answers `echo`
 * and listens on a channel, and a frontend that calls it and publishes on that channel, one round
 * after the other, a few milliseconds apart (well inside every configured rate), for as long as it
 * runs. A flood elsewhere must not make it lose anything: every call answered ok, every message
 * published arrives.
 *
 * @example
 * ```ts
 * const canary = await startCanary(s);
 * await flood();
 * const counts = await canary.stop();
 * expect(counts.calls.ok).toBe(counts.calls.sent);
 * ```
 */
export async function startCanary(s: TestStack, options: { gapMs?: number } = {}): Promise<Canary> {
  const n = ++canaries;
  const app = `canary-${n}`;
  const owner = `canary${n}`;
  const channel = `canary-${n}/beat`;
  await s.createApp(app, owner);
  const worker = await s.open(owner, app, { kind: "default" });
  const caller = await s.open(owner, app, { kind: "webuo" });
  const counts: CanaryCounts = {
    calls: { sent: 0, ok: 0, failed: [] },
    messages: { sent: 0, acked: 0, got: 0 },
    trouble: [],
    slowestRoundMs: 0,
  };
  const watch = (b: Block, who: string) => {
    b.ws.on("message", (raw) => {
      const f = JSON.parse(String(raw)) as Received;
      if (f.t === "error") counts.trouble.push(`${who}: ${JSON.stringify(f)}`);
    });
    b.ws.on("close", (code) => {
      if (!stopping) counts.trouble.push(`${who} closed with ${code}`);
    });
  };
  let stopping = false;
  watch(worker, "worker");
  watch(caller, "caller");

  const got = new Set<string>();
  let gotWaiter: (() => void) | undefined;
  worker.ws.on("message", (raw) => {
    const f = JSON.parse(String(raw)) as Received;
    if (f.t === "api.req") worker.send({ t: "api.res", rid: f.rid, ok: true, data: f.data });
    if (f.t === "msg" && f.channel === channel) {
      got.add(f.data);
      counts.messages.got = got.size;
      gotWaiter?.();
    }
  });
  // Workers ping (contract revision 2), so a long flood never has the canary taken out as silent.
  const keepalive = setInterval(() => worker.send({ t: "ping" }), 5_000);
  await worker.request({ t: "serve", id: "serve", methods: ["echo"] });
  await worker.request({ t: "sub", id: "sub", channel });

  let done = 0;
  const roundWaiters: { n: number; resolve: () => void }[] = [];
  const loop = (async () => {
    const gapMs = options.gapMs ?? 10;
    while (!stopping) {
      const i = done;
      const t0 = performance.now();
      try {
        counts.calls.sent++;
        const result = await caller.request({ t: "api", id: `c${i}`, app, method: "echo", data: { i } }, 60_000);
        if (result.t === "api.result" && result.ok === true && result.data?.i === i) counts.calls.ok++;
        else counts.calls.failed.push(result);
        counts.messages.sent++;
        const ack = await caller.request({ t: "pub", id: `p${i}`, channel, data: `m${i}` }, 60_000);
        if (ack.t === "ack") counts.messages.acked++;
      } catch (err) {
        counts.trouble.push(`round ${i}: ${(err as Error).message.slice(0, 200)}`);
      }
      counts.slowestRoundMs = Math.max(counts.slowestRoundMs, performance.now() - t0);
      done++;
      for (const w of roundWaiters.filter((w) => w.n <= done)) {
        roundWaiters.splice(roundWaiters.indexOf(w), 1);
        w.resolve();
      }
      // A pace, not a synchronisation: the canary is a well-behaved client, far inside its rate limit.
      await delay(gapMs);
    }
  })();

  return {
    another() {
      return new Promise((resolve) => roundWaiters.push({ n: done + 2, resolve }));
    },
    async stop() {
      stopping = true;
      await loop;
      // Every acked message is on its way to the worker: wait for it (the event), not for time.
      if (got.size < counts.messages.acked) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`canary got ${got.size} of ${counts.messages.acked} messages`)),
            30_000,
          );
          gotWaiter = () => {
            if (got.size < counts.messages.acked) return;
            clearTimeout(timer);
            resolve();
          };
        }).catch((err: Error) => counts.trouble.push(err.message));
      }
      clearInterval(keepalive);
      await Promise.all([worker.close(), caller.close()]);
      return counts;
    },
  };
}

/** The canary's figures, as the closing note reports them. */
export function canaryFigures(c: CanaryCounts): { callsSent: number; callsOk: number; sent: number; got: number; lost: number } {
  const lost = c.messages.sent - c.messages.got + (c.calls.sent - c.calls.ok);
  return { callsSent: c.calls.sent, callsOk: c.calls.ok, sent: c.messages.sent, got: c.messages.got, lost };
}
