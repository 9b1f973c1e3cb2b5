import { CLOUDFLARE, type Costs, EPHEMERAL_PORTS } from "./calibration";
import { Latencies, type Obj, Sim } from "./engine";
import { Flows } from "./flows";
import { Prng } from "./prng";

/** Objects of one role (e.g. the 16 session shards of an app); the report shows the busiest. */
export interface Group {
  label: string;
  objs: Obj[];
  /**
   * True when each object's load grows with the multiplier (a fixed number of objects takes it all);
   * false when the design adds objects instead, or caps what each one gets (relay fan-out).
   */
  grows: boolean;
}

/** A limit beyond what every object gets (a quota of the contract, a bridge's ports...). */
export interface ExtraCheck {
  limit: string;
  where: string;
  usage: number;
  max: number;
  /** True when the usage grows with the multiplier (as `Group.grows`). */
  grows: boolean;
}

/** What a load builder sets up in a fresh world; `start` schedules its traffic until `until`. */
export interface Built {
  groups: Group[];
  /** The end-to-end operation measured, e.g. "API call round trip". */
  op: string;
  start(until: number): void;
  checks: ExtraCheck[];
  /** What the builder chose (shard counts...), for the report. */
  sizing: string;
}

export type Builder = (sim: Sim, flows: Flows, rng: Prng, lat: Latencies, mult: number) => Built;

export interface GroupStats {
  label: string;
  count: number;
  grows: boolean;
  utilisation: number;
  requestsPerSec: number;
  sockets: number;
  heapMiB: number;
  backlogMs: number;
}

export interface Check extends ExtraCheck {
  /** `max / usage`: below 1 means the limit is passed. */
  headroom: number;
}

export interface RunResult {
  mult: number;
  op: string;
  sizing: string;
  p50: number;
  p99: number;
  samples: number;
  groups: GroupStats[];
  checks: Check[];
  /** The check with the least headroom. */
  binding: Check;
  /** True when some object's queue grew during the window (its latencies are those that got through). */
  queuesGrow: boolean;
  /** How many times the nominal rate one thread could take before the busiest object saturates. */
  cpuHeadroom: number;
  /** Above the published soft limit of 1,000 requests/s (a warning, not a ceiling). */
  overSoftLimit: string[];
  events: number;
}

const WARMUP_MS = 500;
const WINDOW_MS = 2000;

/**
 * Runs one load at `mult` times its nominal size through a design: warm-up, then a measured window.
 * Deterministic: the seed fixes every arrival.
 *
 * @example
 * ```ts
 * const r = runLoad(costs, buildApiToday, 1, 7); r.binding.limit; // "WebSockets per object"
 * ```
 */
export function runLoad(costs: Costs, build: Builder, mult: number, seed: number): RunResult {
  const sim = new Sim();
  const lat = new Latencies();
  const built = build(sim, new Flows(sim, costs), new Prng(seed), lat, mult);
  const all = built.groups.flatMap((g) => g.objs);
  built.start(WARMUP_MS + WINDOW_MS);
  sim.run(WARMUP_MS);
  for (const o of all) o.measuring = true;
  lat.samples.length = 0;
  sim.run(WARMUP_MS + WINDOW_MS);
  const s = WINDOW_MS / 1000;
  const groups = built.groups.map((g): GroupStats => {
    const pick = (f: (o: Obj) => number) => Math.max(...g.objs.map(f));
    return {
      label: g.label,
      count: g.objs.length,
      grows: g.grows,
      utilisation: pick((o) => o.busyMs / WINDOW_MS),
      requestsPerSec: pick((o) => o.requests / s),
      sockets: pick((o) => o.sockets),
      // The per-socket figure is workerd's; the bridge is a Node process (its memory is not modelled).
      heapMiB: pick((o) => (o.kind === "bridge" ? 0 : o.sockets * costs.heapPerConn) + o.peakQueuedBytes) / 2 ** 20,
      backlogMs: pick((o) => o.backlogMs()),
    };
  });
  const checks: Check[] = [];
  const add = (c: ExtraCheck) => checks.push({ ...c, headroom: c.usage > 0 ? c.max / c.usage : Number.POSITIVE_INFINITY });
  for (const g of groups) {
    const grows = g.grows;
    add({ limit: "CPU (one thread)", where: g.label, usage: g.utilisation, max: 1, grows });
    if (g.label.startsWith("bridge"))
      add({ limit: "ephemeral ports to the edge", where: g.label, usage: g.sockets, max: EPHEMERAL_PORTS, grows });
    else {
      add({ limit: "WebSockets per object", where: g.label, usage: g.sockets, max: CLOUDFLARE.maxWebSocketsPerObject, grows });
      add({
        limit: "isolate memory",
        where: g.label,
        usage: g.heapMiB,
        max: CLOUDFLARE.memoryPerIsolateBytes / 2 ** 20,
        grows,
      });
    }
  }
  for (const c of built.checks) add(c);
  const binding = checks.reduce((a, b) => (b.headroom < a.headroom ? b : a));
  return {
    mult,
    op: built.op,
    sizing: built.sizing,
    p50: lat.percentile(50),
    p99: lat.percentile(99),
    samples: lat.samples.length,
    groups,
    checks,
    binding,
    queuesGrow: groups.some((g) => g.backlogMs > 0.05 * WINDOW_MS),
    cpuHeadroom: 1 / Math.max(...groups.map((g) => g.utilisation)),
    overSoftLimit: groups
      .filter((g) => !g.label.startsWith("bridge") && g.requestsPerSec > CLOUDFLARE.softRequestsPerSec)
      .map((g) => g.label),
    events: sim.events,
  };
}

/**
 * Where a design saturates: for every limit, the multiplier at which its usage reaches it,
 * interpolated between the two runs around the crossing (batching makes usage grow slower than the
 * load, so runs beat a straight line), scaled down from the first run if that one is already past
 * it, and extrapolated from the last run for usages that grow with the load; the smallest wins.
 * `skip` leaves limits out. Infinity: nothing that grows with the load has a limit.
 *
 * @example
 * ```ts
 * saturation(runs); // { mult: 0.65, check: { limit: "WebSockets per object", ... } }
 * ```
 */
export function saturation(
  runs: RunResult[],
  skip: (c: Check) => boolean = () => false,
): { mult: number; check: Check | undefined } {
  let best: { mult: number; check: Check | undefined } = { mult: Number.POSITIVE_INFINITY, check: undefined };
  const keys = new Set(runs.flatMap((r) => r.checks.filter((c) => !skip(c)).map((c) => `${c.limit}|${c.where}`)));
  for (const key of keys) {
    const points = runs.flatMap((r) =>
      r.checks.filter((c) => `${c.limit}|${c.where}` === key).map((c) => ({ m: r.mult, u: c.usage / c.max, c })),
    );
    const i = points.findIndex((p) => p.u >= 1);
    let mult = Number.POSITIVE_INFINITY;
    if (i === 0) mult = points[0]!.m / points[0]!.u;
    else if (i > 0) {
      const [a, b] = [points[i - 1]!, points[i]!];
      mult = a.m + ((1 - a.u) * (b.m - a.m)) / (b.u - a.u);
    } else {
      const last = points[points.length - 1]!;
      if (last.c.grows && last.u > 0) mult = last.m / last.u;
    }
    const at = points[Math.max(0, i)]!.c;
    if (mult < best.mult) best = { mult, check: at };
  }
  return best;
}

/** Schedules a Poisson stream of `perSec` events until `until`, calling `fn` for each. */
export function poisson(sim: Sim, rng: Prng, perSec: number, until: number, fn: () => void): void {
  if (perSec <= 0) return;
  const next = () => {
    if (sim.now > until) return;
    fn();
    sim.after(rng.exponential(perSec), next);
  };
  sim.after(rng.exponential(perSec), next);
}
