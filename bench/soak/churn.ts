import { performance } from "node:perf_hooks";
import { connect, type NexusClient } from "@qe/nexus-sdk";
import { slotPlace } from "./churn-layout";
import { droppableSocket } from "./droppable-socket";
import { codeOf, jittered, pause } from "./pace";
import type { SoakMetrics } from "./soak-metrics";

/** How the churn behaves; `defaultChurnPlan` sizes it from the run's length and connection count. */
export interface ChurnPlan {
  connections: number;
  /** A connection lives this long (uniform between the two), then closes or is dropped. */
  lifetimeMs: [number, number];
  /** Each connection calls `echo` in its app about this often (jittered). */
  callEveryMs: number;
  /** Each connection publishes on its channel about this often (jittered). */
  publishEveryMs: number;
  /** The share of lives that end with the socket dropped (no close frame) and the SDK reconnecting. */
  dropShare: number;
  /** The first connections are spread over this long. */
  rampMs: number;
}

/**
 * The default churn: connections live 20-60 s (shorter in short runs, so every run churns), call
 * every 5 s and publish every 15 s; a quarter of lives end in a dropped socket. With 1,000
 * connections that is about 25 connects, 200 calls and 67 publishes (1,700 deliveries) per second:
 * on 2 cores shared with other work, the edge then keeps up rather than measuring its saturation.
 *
 * @example
 * ```ts
 * defaultChurnPlan(1000, 600_000).lifetimeMs; // [20000, 60000]
 * ```
 */
export function defaultChurnPlan(connections: number, durationMs: number): ChurnPlan {
  const longest = Math.min(60_000, Math.max(3000, durationMs / 3));
  return {
    connections,
    lifetimeMs: [longest / 3, longest],
    callEveryMs: 5000,
    publishEveryMs: 15_000,
    dropShare: 0.25,
    rampMs: Math.min(20_000, durationMs / 4),
  };
}

/** What a churning connection needs from the soak. */
export interface ChurnEnv {
  url: string;
  token(uid: string, app: string): Promise<string>;
  metrics: SoakMetrics;
}

/**
 * Runs `plan.connections` slots until `stop` aborts; each slot connects with the real SDK, serves
 * (workers) and subscribes, calls and publishes, and at the end of its life closes, or has its socket
 * dropped and lives on after the SDK's reconnect; then the slot starts a new life. Resolves once
 * every slot has closed its connection.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const done = runChurn(defaultChurnPlan(100, 60_000), env, stop.signal);
 * setTimeout(() => stop.abort(), 60_000);
 * await done;
 * ```
 */
export async function runChurn(plan: ChurnPlan, env: ChurnEnv, stop: AbortSignal): Promise<void> {
  await Promise.all(
    Array.from({ length: plan.connections }, async (_, slot) => {
      if (!(await pause((plan.rampMs * slot) / plan.connections, stop))) return;
      while (!stop.aborted) await life(slot, plan, env, stop);
    }),
  );
}

async function life(slot: number, plan: ChurnPlan, env: ChurnEnv, stop: AbortSignal): Promise<void> {
  const { metrics } = env;
  const place = slotPlace(slot, plan.connections);
  const sock = droppableSocket();
  let nx: NexusClient;
  try {
    nx = await connect({
      url: env.url,
      token: await env.token(place.uid, place.app),
      kind: place.kind,
      reconnect: { initialDelayMs: 200, maxDelayMs: 3000 },
      WebSocket: sock.WebSocket,
    });
  } catch (err) {
    metrics.error(`connect:${codeOf(err)}`);
    await pause(jittered(2000), stop);
    return;
  }
  metrics.connected();
  let connected = true;
  let dropping = false;
  let reconnected: (() => void) | undefined;
  nx.on("state", (s) => {
    if (s === "connected" && !connected) {
      connected = true;
      metrics.connected(true);
      reconnected?.();
    } else if (s !== "connected" && connected) {
      connected = false;
      metrics.disconnected(dropping ? "drop" : "lost");
      dropping = false;
    }
    if (s === "closed") reconnected?.();
  });
  // Failed reconnect attempts and frames no promise carries.
  nx.on("error", (err) => metrics.error(`event:${err.code}`));

  const ending = new AbortController();
  const cut = () => ending.abort();
  stop.addEventListener("abort", cut, { once: true });
  const loops: Promise<void>[] = [];
  try {
    if (place.kind === "default") await nx.serve("echo", (data) => data);
    const sub = await nx.subscribe(place.channel, (text) => {
      const sent = Number(text);
      if (Number.isFinite(sent)) metrics.delivered(performance.now() - sent);
    });
    sub.on("resubscribed", (e) => metrics.resubscribed(e.recovered));
    sub.on("gap", (g) => {
      if (g.reason === "seq_jump") metrics.seqJump();
    });
    loops.push(
      every(plan.callEveryMs, ending.signal, async () => {
        const t0 = performance.now();
        try {
          await nx.api(place.app, "echo", null);
          metrics.callDone(performance.now() - t0);
        } catch (err) {
          metrics.error(codeOf(err), true);
        }
      }),
      every(plan.publishEveryMs, ending.signal, async () => {
        try {
          await nx.publish(place.channel, String(performance.now()), { ack: true });
          metrics.published();
        } catch (err) {
          metrics.error(codeOf(err));
        }
      }),
    );
    const [min, max] = plan.lifetimeMs;
    const lifetime = min + Math.random() * (max - min);
    if (Math.random() < plan.dropShare) {
      if (await pause(lifetime / 2, stop)) {
        const back = new Promise<void>((resolve) => {
          reconnected = resolve;
        });
        dropping = sock.drop();
        // Back when the SDK has reconnected and restored (or gave up, or the soak ends).
        if (dropping) await Promise.race([back, pause(3_600_000, stop)]);
        reconnected = undefined;
        await pause(lifetime / 2, stop);
      }
    } else await pause(lifetime, stop);
  } catch (err) {
    metrics.error(codeOf(err));
  } finally {
    ending.abort();
    stop.removeEventListener("abort", cut);
    await Promise.all(loops);
    if (connected) metrics.disconnected("close");
    connected = false;
    await nx.close();
  }
}

/** Runs `act` (which counts its own failures) about every `ms`, jittered, until `signal` aborts. */
async function every(ms: number, signal: AbortSignal, act: () => Promise<void>): Promise<void> {
  while (await pause(jittered(ms), signal)) await act();
}
