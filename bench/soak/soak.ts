import { setMaxListeners } from "node:events";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { startApiCanary } from "./canary-api";
import { startChannelCanary } from "./canary-channel";
import { type ChurnPlan, defaultChurnPlan, runChurn } from "./churn";
import { churnApps } from "./churn-layout";
import { CpuMeter } from "./cpu-meter";
import { pause } from "./pace";
import { SoakMetrics, type SoakSample } from "./soak-metrics";
import type { SoakResults } from "./soak-results";
import { startSoakStack } from "./soak-stack";

/** What to run. */
export interface SoakOptions {
  /** How long the churn runs, in ms. */
  durationMs: number;
  /** Churning connections held on average. */
  connections: number;
  /** Overrides of the default churn (`defaultChurnPlan`). */
  plan?: Partial<ChurnPlan>;
  /** Numbered calls, and numbered messages, per second of each canary (default 20). */
  canaryRatePerSec?: number;
  /** How often the channel canary's third subscriber loses its socket (default 30 s). */
  canaryDropEveryMs?: number;
  /** Called with every one-second sample. */
  onSample?(sample: SoakSample): void;
  log?(line: string): void;
}

export const CANARY_API = { app: "soak-canary-api", owner: "canaryapi" };
export const CANARY_CHANNEL = { app: "soak-canary-chan", owner: "canarychan" };

/**
 * Starts the real local stack, creates the churn's apps and the canaries' through the admin route,
 * runs the churn and the canaries side by side for `durationMs`, sampling every second, then stops
 * the churn, drains the canaries and stops every process it started.
 *
 * @example
 * ```ts
 * const results = await runSoak({ durationMs: 60_000, connections: 100 });
 * console.log(soakProblems(results)); // [] when nothing was lost
 * ```
 */
export async function runSoak(options: SoakOptions): Promise<SoakResults> {
  const log = options.log ?? (() => {});
  const plan: ChurnPlan = { ...defaultChurnPlan(options.connections, options.durationMs), ...options.plan };
  const loadAvgAtStart = loadavg();
  log("soak: starting the local stack");
  const s = await startSoakStack();
  try {
    for (const { app, owner } of [...churnApps(plan.connections), CANARY_API, CANARY_CHANNEL]) {
      const r = await s.admin("PUT", `/v1/admin/apps/${app}`, { owner });
      if (r.status !== 200) throw new Error(`create ${app}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    }
    // Tokens as the platform's issuer mints them, one per uid and app, valid well past the run.
    const tokens = new Map<string, Promise<string>>();
    const ttlSeconds = Math.ceil(options.durationMs / 1000) + 3600;
    const token = (uid: string, app: string) => {
      const key = `${uid}/${app}`;
      if (!tokens.has(key)) tokens.set(key, s.token(uid, app, ttlSeconds));
      return tokens.get(key)!;
    };
    const env = { url: s.edgeUrl, token };
    const rate = options.canaryRatePerSec ?? 20;
    const api = await startApiCanary(env, CANARY_API, rate);
    const channel = await startChannelCanary(env, CANARY_CHANNEL, rate, options.canaryDropEveryMs);
    log(`soak: ${plan.connections} churning connections for ${Math.round(options.durationMs / 1000)} s against ${s.edgeUrl}`);

    const metrics = new SoakMetrics();
    const stop = new AbortController();
    // Every connection's pauses wait on this one signal.
    setMaxListeners(0, stop.signal);
    const startedAt = new Date();
    const t0 = performance.now();
    let crashed: string | undefined;
    const samples: SoakSample[] = [];
    const cpuMeter = new CpuMeter(s.runtimePid);
    let checking = false;
    const sampler = (async () => {
      let next = 1;
      while (await pause(t0 + next * 1000 - performance.now(), stop.signal)) {
        const sample = metrics.sample(next, { ...s.rss(), ...cpuMeter.read() });
        samples.push(sample);
        options.onSample?.(sample);
        next++;
        // The health check runs beside the sampling; a crash ends the run at once.
        if (next % 5 === 0 && !checking) {
          checking = true;
          void s.crashed().then((why) => {
            checking = false;
            if (why && !crashed) {
              crashed = why;
              stop.abort();
            }
          });
        }
      }
    })();
    const churn = runChurn(plan, { url: s.edgeUrl, token, metrics }, stop.signal);
    await pause(options.durationMs, stop.signal);
    const durationMs = performance.now() - t0;
    stop.abort();
    log("soak: stopping the churn and draining the canaries");
    await Promise.all([churn, sampler]);
    const [apiCounts, channelCounts] = await Promise.all([api.stop(), channel.stop()]);
    crashed ??= await s.crashed();
    const cpu = cpus();
    return {
      startedAt: startedAt.toISOString(),
      durationMs,
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model ?? "unknown",
        node: process.version,
        loadAvgAtStart,
        loadAvgAtEnd: loadavg(),
      },
      plan,
      samples,
      churn: metrics.totalsSoFar(),
      canaries: { api: apiCounts, channel: channelCounts },
      ...(crashed ? { crashed } : {}),
    };
  } finally {
    await s.stack.stop();
  }
}
