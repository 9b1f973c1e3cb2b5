import { LatencyHistogram } from "./latency-histogram";

/** One second of the soak, as the report charts it. */
export interface SoakSample {
  /** Seconds since the churn started. */
  t: number;
  /** Churning connections welcomed and not closed (the canaries not included). */
  connections: number;
  callsPerSec: number;
  deliveriesPerSec: number;
  publishesPerSec: number;
  connectsPerSec: number;
  callP50: number;
  callP99: number;
  deliveryP50: number;
  deliveryP99: number;
  /** Errors the churners got in this second, by code (`connect:quota_exceeded` for a refused connect). */
  errors: Record<string, number>;
  /** VmRSS of the workerd that runs the edge, in MiB. */
  rssMiB: number;
  /** VmRSS of every workerd of the stack (wrangler's dev proxy too, when there is one), in MiB. */
  rssAllMiB: number;
  /** CPU the edge's workerd used in this second, in percent of one core. */
  edgeCpuPct: number;
  /** CPU this process (every client of the soak) used in this second, in percent of one core. */
  clientCpuPct: number;
}

/** What the churners did over the whole run. */
export interface ChurnTotals {
  connects: number;
  closes: number;
  /** Sockets dropped on purpose, which the SDK then reconnected. */
  drops: number;
  reconnects: number;
  /** Subscriptions the SDK made again after a reconnect: recovered through history, or not (a gap it reported). */
  resubscribes: { recovered: number; notRecovered: number };
  /** Live messages whose `seq` skipped some while the churner stayed subscribed (a loss the SDK reported). */
  seqJumps: number;
  calls: number;
  callErrors: number;
  publishes: number;
  deliveries: number;
  errors: Record<string, number>;
  callLatency: { p50: number; p99: number; max: number };
  deliveryLatency: { p50: number; p99: number; max: number };
}

/**
 * The churners' counters: what happened since the last sample (one second) and in the whole run.
 *
 * @example
 * ```ts
 * const m = new SoakMetrics();
 * m.callDone(1.3);
 * m.error("no_responders");
 * const s = m.sample(1, { rssMiB: 120, rssAllMiB: 180, edgeCpuPct: 40, clientCpuPct: 30 });
 * ```
 */
export class SoakMetrics {
  readonly calls = new LatencyHistogram();
  readonly deliveries = new LatencyHistogram();
  private open = 0;
  private second = { publishes: 0, connects: 0, errors: {} as Record<string, number> };
  private readonly totals = { connects: 0, closes: 0, drops: 0, reconnects: 0, publishes: 0, callErrors: 0, seqJumps: 0 };
  private readonly resubscribes = { recovered: 0, notRecovered: 0 };
  private readonly errorTotals: Record<string, number> = {};

  /** A churning connection was welcomed (`reconnect`: again, by the SDK, after a drop). */
  connected(reconnect = false): void {
    this.open++;
    if (reconnect) this.totals.reconnects++;
    else {
      this.totals.connects++;
      this.second.connects++;
    }
  }

  /** A welcomed churning connection is no longer connected (`how`: closed by us, or dropped on purpose). */
  disconnected(how: "close" | "drop" | "lost"): void {
    this.open--;
    if (how === "close") this.totals.closes++;
    if (how === "drop") this.totals.drops++;
  }

  /** A churner's subscription came back after a reconnect (`recovered`: every missed message replayed). */
  resubscribed(recovered: boolean): void {
    if (recovered) this.resubscribes.recovered++;
    else this.resubscribes.notRecovered++;
  }

  /** A churner's subscription saw a live `seq` skip some. */
  seqJump(): void {
    this.totals.seqJumps++;
  }

  callDone(ms: number): void {
    this.calls.record(ms);
  }

  delivered(ms: number): void {
    this.deliveries.record(ms);
  }

  published(): void {
    this.second.publishes++;
    this.totals.publishes++;
  }

  /** An error a churner got, by its code; `call` marks a failed API call. */
  error(code: string, call = false): void {
    this.second.errors[code] = (this.second.errors[code] ?? 0) + 1;
    this.errorTotals[code] = (this.errorTotals[code] ?? 0) + 1;
    if (call) this.totals.callErrors++;
  }

  /** Closes the current second. `gauges` reads what is measured outside (RSS). */
  sample(t: number, gauges: { rssMiB: number; rssAllMiB: number; edgeCpuPct: number; clientCpuPct: number }): SoakSample {
    const calls = this.calls.drainSecond();
    const deliveries = this.deliveries.drainSecond();
    const s: SoakSample = {
      t,
      connections: this.open,
      callsPerSec: calls.count,
      deliveriesPerSec: deliveries.count,
      publishesPerSec: this.second.publishes,
      connectsPerSec: this.second.connects,
      callP50: calls.p50,
      callP99: calls.p99,
      deliveryP50: deliveries.p50,
      deliveryP99: deliveries.p99,
      errors: this.second.errors,
      ...gauges,
    };
    this.second = { publishes: 0, connects: 0, errors: {} };
    return s;
  }

  totalsSoFar(): ChurnTotals {
    const summary = (h: LatencyHistogram) => ({ p50: h.percentile(50), p99: h.percentile(99), max: h.max });
    return {
      ...this.totals,
      resubscribes: { ...this.resubscribes },
      calls: this.calls.count,
      deliveries: this.deliveries.count,
      errors: { ...this.errorTotals },
      callLatency: summary(this.calls),
      deliveryLatency: summary(this.deliveries),
    };
  }
}
