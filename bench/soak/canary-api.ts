import { performance } from "node:perf_hooks";
import { connect, type NexusClient } from "@qe/nexus-sdk";
import { LatencyHistogram } from "./latency-histogram";
import { codeOf, pause, within } from "./pace";
import { SequenceTally } from "./sequence-tally";

/** What the API canary exchanged: every numbered call and what became of it. */
export interface ApiCanaryCounts {
  sent: number;
  /** Answered `ok` with the call's own number. */
  ok: number;
  /** Answered `ok` with another call's data. */
  wrong: number;
  /** Answered with an error, by code. */
  errors: Record<string, number>;
  /** Calls without a result when the canary stopped (it waits for every result first). */
  missing: number;
  /** Calls whose result was lost: missing, or a `timeout` from a worker that stayed connected. */
  lost: number;
  /** What the worker saw: each number once, in order (calls go one app object to one worker). */
  worker: { got: number; duplicated: number; outOfOrder: number };
  /** Times the caller's or the worker's socket reconnected (none expected: nothing churns them). */
  reconnects: number;
  latency: { p50: number; p99: number; max: number };
}

/** A running canary: `stop()` stops calling, waits for every result, and counts. */
export interface ApiCanary {
  stop(): Promise<ApiCanaryCounts>;
}

/** What the canaries need from the soak. */
export interface CanaryEnv {
  url: string;
  token(uid: string, app: string): Promise<string>;
}

/**
 * The API canary: in an app of its own, which the churn never touches, a worker serving `seq` and a
 * caller that calls it with numbers 0, 1, 2, ... (`ratePerSec`, at most 16 in flight). The edge owes
 * each call exactly one result; the canary checks each is the call's own and that the worker got
 * each number once.
 *
 * @example
 * ```ts
 * const canary = await startApiCanary(env, { app: "soak-canary-api", owner: "canaryapi" }, 20);
 * const counts = await canary.stop(); // counts.lost === 0
 * ```
 */
export async function startApiCanary(
  env: CanaryEnv,
  where: { app: string; owner: string },
  ratePerSec: number,
): Promise<ApiCanary> {
  const token = await env.token(where.owner, where.app);
  const open = (kind: string) => connect({ url: env.url, token, kind, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } });
  const worker = await open("default");
  const caller = await open("webuo");
  const seen = new SequenceTally();
  await worker.serve("seq", (data: { n: number }) => {
    seen.receive(data.n);
    return { n: data.n };
  });
  let reconnects = 0;
  let workerDropped = false;
  const countReconnects = (nx: NexusClient, isWorker: boolean) => {
    let up = true;
    nx.on("state", (s) => {
      if (s !== "connected" && up) {
        up = false;
        if (isWorker) workerDropped = true;
      }
      if (s === "connected" && !up) {
        up = true;
        reconnects++;
      }
    });
  };
  countReconnects(worker, true);
  countReconnects(caller, false);

  const counts = { sent: 0, ok: 0, wrong: 0, errors: {} as Record<string, number>, timeouts: 0 };
  const latency = new LatencyHistogram();
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  const call = (n: number) => {
    const t0 = performance.now();
    const done = caller.api(where.app, "seq", { n }).then(
      (data: { n: number }) => {
        latency.record(performance.now() - t0);
        if (data?.n === n) counts.ok++;
        else counts.wrong++;
      },
      (err) => {
        const code = codeOf(err);
        counts.errors[code] = (counts.errors[code] ?? 0) + 1;
        if (code === "timeout" && !workerDropped) counts.timeouts++;
      },
    );
    const tracked = done.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const loop = (async () => {
    while (await pause(1000 / ratePerSec, stopping.signal)) if (inFlight.size < 16) call(counts.sent++);
  })();

  return {
    async stop() {
      stopping.abort();
      await loop;
      // Every call has a result within its 30 s timeout; 40 s without one is a lost result.
      await within(Promise.all(inFlight), 40_000);
      const missing = inFlight.size;
      await Promise.all([worker.close(), caller.close()]);
      return {
        sent: counts.sent,
        ok: counts.ok,
        wrong: counts.wrong,
        errors: counts.errors,
        missing,
        lost: missing + counts.wrong + counts.timeouts,
        worker: seen.counts(),
        reconnects,
        latency: { p50: latency.percentile(50), p99: latency.percentile(99), max: latency.max },
      };
    },
  };
}
