import type { ApiCanaryCounts } from "./canary-api";
import type { ChannelCanaryCounts } from "./canary-channel";
import type { ChurnPlan } from "./churn";
import type { ChurnTotals, SoakSample } from "./soak-metrics";

/** Everything one soak measured; what it writes as JSON. */
export interface SoakResults {
  startedAt: string;
  /** How long the churn ran, in ms (the stack's start and the canaries' drain not included). */
  durationMs: number;
  machine: { cpus: number; cpuModel: string; node: string; loadAvgAtStart: number[]; loadAvgAtEnd: number[] };
  plan: ChurnPlan;
  samples: SoakSample[];
  churn: ChurnTotals;
  canaries: { api: ApiCanaryCounts; channel: ChannelCanaryCounts };
  /** Why the stack stopped being whole during the run, if it did. */
  crashed?: string;
}

/** What a soak's figures say: held connections, rates, latencies and memory, start to end. */
export interface SoakSummary {
  connectionsHeld: number;
  callsPerSec: number;
  deliveriesPerSec: number;
  publishesPerSec: number;
  rssStartMiB: number;
  rssEndMiB: number;
  rssMaxMiB: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/**
 * The run's headline figures. Rates and held connections are averaged over the samples after the
 * ramp (the first connections spread over `plan.rampMs`); RSS is the runtime's first and last sample.
 *
 * @example
 * ```ts
 * summarise(results).connectionsHeld; // 997.4
 * ```
 */
export function summariseSoak(r: Pick<SoakResults, "samples" | "plan">): SoakSummary {
  const steady = r.samples.filter((s) => s.t * 1000 >= r.plan.rampMs);
  const use = steady.length > 0 ? steady : r.samples;
  const rss = r.samples.map((s) => s.rssMiB).filter(Number.isFinite);
  return {
    connectionsHeld: mean(use.map((s) => s.connections)),
    callsPerSec: mean(use.map((s) => s.callsPerSec)),
    deliveriesPerSec: mean(use.map((s) => s.deliveriesPerSec)),
    publishesPerSec: mean(use.map((s) => s.publishesPerSec)),
    rssStartMiB: rss[0] ?? Number.NaN,
    rssEndMiB: rss.at(-1) ?? Number.NaN,
    rssMaxMiB: rss.length ? Math.max(...rss) : Number.NaN,
  };
}

/**
 * What makes a soak fail: a canary that lost, duplicated or reordered anything, or a stack that
 * crashed. Errors the churners got (quotas, rate limits, a worker gone mid-call) are counted, not
 * failures. Empty when the run passed.
 *
 * @example
 * ```ts
 * const problems = soakProblems(results);
 * process.exitCode = problems.length ? 1 : 0;
 * ```
 */
export function soakProblems(r: Pick<SoakResults, "canaries" | "crashed">): string[] {
  const out: string[] = [];
  if (r.crashed) out.push(`the stack crashed: ${r.crashed}`);
  const api = r.canaries.api;
  if (api.lost > 0)
    out.push(
      `API canary: ${api.lost} of ${api.sent} results lost (${api.missing} missing, ${api.wrong} wrong, the rest timed out)`,
    );
  if (api.worker.duplicated > 0) out.push(`API canary: the worker got ${api.worker.duplicated} calls twice`);
  for (const s of r.canaries.channel.subscribers) {
    const who = `channel canary (${s.kind} subscriber)`;
    if (s.lost > 0) out.push(`${who}: ${s.lost} of ${r.canaries.channel.sent} acked messages lost while subscribed`);
    if (s.duplicated > 0) out.push(`${who}: ${s.duplicated} messages duplicated`);
    if (s.outOfOrder > 0) out.push(`${who}: ${s.outOfOrder} messages out of order`);
  }
  return out;
}
