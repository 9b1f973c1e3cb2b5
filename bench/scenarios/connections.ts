import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { APP_A, type BenchContext, type Figure, type FreshStack, OWNER_A, scaled } from "../context";
import { cpuIdle, cpuMs, rssBytes } from "../pin";
import { type LatencySummary, summarise } from "../stats";
import { closeAll, openMany, type WireClient } from "../wire-client";
import { openEcho } from "./echo";

/** How long idle sockets sit before RSS is read, so the objects can hibernate and the allocator settle. */
const SETTLE_MS = 2000;

function openFilesLimit(pid: number): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync(`/proc/${pid}/limits`, "utf8"));
  return m?.[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(m?.[1] ?? 0);
}

/**
 * Makes sure each process may hold `needed` descriptors, raising the limit with `prlimit` (root may;
 * workerd inherited ours when it started). Throws a clear error when it cannot.
 *
 * @example
 * ```ts
 * ensureOpenFiles([process.pid, workerdPid], 14_096);
 * ```
 */
export function ensureOpenFiles(pids: readonly number[], needed: number): void {
  for (const pid of pids) {
    if (openFilesLimit(pid) >= needed) continue;
    try {
      execFileSync("prlimit", ["--pid", String(pid), `--nofile=${needed}:${needed}`], { stdio: "ignore" });
    } catch {
      // Reported below, with what to do about it.
    }
    if (openFilesLimit(pid) < needed)
      throw new Error(`process ${pid} may open ${openFilesLimit(pid)} files, needs ${needed}: raise ulimit -n`);
  }
}

interface Side {
  label: string;
  open(ctx: BenchContext): Promise<WireClient>;
  perConnectMs: number[];
  /** Wall time and workerd CPU time spent opening this side's sockets, in ms. */
  ms: number;
  cpuMs: number;
  /** This side's rate in each round, conn/s. */
  rates: number[];
}

/** A side's figures once every round has run. */
interface Measured {
  n: number;
  connectMs: LatencySummary;
  perSecond: number;
  /** workerd's CPU time per connect, in µs (what bounds the rate when it has a core alone). */
  cpuUs: number;
  bytesPerConnection: number;
}

/** Rounds of the connections scenario: in each, one set of each side, the order alternating. */
export const CONNECTION_ROUNDS = 10;

/** Connects of each side opened, unmeasured, before the first round. */
const WARM_UP = 1000;

/** The metrics of the two sides, each as (Nexus, echo), and how many times worse than the echo Nexus is. */
const metrics: {
  metric: string;
  unit: string;
  floorLabel: string;
  better: "higher" | "lower";
  of(m: Measured): number;
}[] = [
  {
    metric: "connect time p50 (250 at a time)",
    unit: "ms",
    floorLabel: "echo connect p50",
    better: "lower",
    of: (m) => m.connectMs.p50,
  },
  {
    metric: "connect time p99 (250 at a time)",
    unit: "ms",
    floorLabel: "echo connect p99",
    better: "lower",
    of: (m) => m.connectMs.p99,
  },
  { metric: "connections/s", unit: "conn/s", floorLabel: "echo connections/s", better: "higher", of: (m) => m.perSecond },
  { metric: "workerd CPU per connect", unit: "µs", floorLabel: "echo CPU per connect", better: "lower", of: (m) => m.cpuUs },
  {
    metric: "workerd RSS per connection",
    unit: "KiB",
    floorLabel: "echo RSS per connection",
    better: "lower",
    of: (m) => m.bytesPerConnection / 1024,
  },
];

/**
 * Scenario 4: `count` idle WebSockets per side, opened 250 at a time, for Nexus `webuo` blocks of one
 * app and, as the floor, the bare echo: time per connect, connects per second, workerd's CPU per
 * connect, and workerd's RSS growth per connection.
 *
 * Rate, time and CPU come from one runtime on which both sides open their sockets in turn: `rounds`
 * rounds, each a set of `count / rounds` sockets of each side, the order alternating (Nexus first, then
 * the echo first, ...), so that the machine's drift falls on both alike; a round's sockets are closed
 * at its end, and the next waits until workerd is idle again (both sides' `count` sockets at once would
 * pass the machine's 20,000 open files). (Sets on runtimes of their own, one after the other, measured
 * the echo alone at 910 to 1,399 conn/s within minutes, and the same Nexus code at 0.72-0.93x of it.)
 * Before the first round, both sides' connects are opened once and closed, unmeasured, so that no set
 * runs a cold client or a cold runtime. The note lists each round's Nexus ÷ echo rate.
 *
 * RSS comes from a freshly started runtime per side holding `count` sockets: an allocator keeps what
 * it frees, so a set opened after earlier work would reuse its memory and look cheaper than it is.
 *
 * @example
 * ```ts
 * const figures = await benchConnections(fresh, 10_000);
 * ```
 */
export async function benchConnections(fresh: FreshStack, count: number, rounds = CONNECTION_ROUNDS): Promise<Figure[]> {
  const nexusOpen = async (ctx: BenchContext) => ctx.connect(await tokenFor(ctx), { kind: "webuo" });
  const side = (label: string, open: Side["open"]): Side => ({
    label,
    open,
    perConnectMs: [],
    ms: 0,
    cpuMs: 0,
    rates: [],
  });
  const nexus = side("Nexus", nexusOpen);
  const echo = side("echo", openEcho);
  const ratios = () => nexus.rates.map((rate, r) => `${(rate / echo.rates[r]!).toFixed(2)}x`).join(", ");
  const n = await fresh(async (ctx, pid) => {
    const n = scaled(ctx, count, 100);
    const set = Math.ceil(n / rounds);
    ensureOpenFiles([process.pid, pid], 2 * set + 4096);
    for (const s of [nexus, echo]) await closeAll((await openMany(WARM_UP, 250, () => s.open(ctx))).clients);
    await cpuIdle(pid);
    for (let r = 0; r < rounds; r++) {
      const size = Math.min(set, n - r * set);
      const open: WireClient[] = [];
      try {
        for (const s of r % 2 === 0 ? [nexus, echo] : [echo, nexus]) {
          const cpu0 = cpuMs(pid);
          const t0 = performance.now();
          const opened = await openMany(size, 250, () => s.open(ctx));
          const ms = performance.now() - t0;
          s.ms += ms;
          s.cpuMs += cpuMs(pid) - cpu0;
          s.rates.push((size / ms) * 1000);
          s.perConnectMs.push(...opened.perConnectMs);
          open.push(...opened.clients);
        }
      } finally {
        await closeAll(open);
      }
      // The closes' work (the app object's teardown of each block) is not the next set's.
      await cpuIdle(pid);
    }
    ctx.log(`  Nexus ÷ echo connections/s per round: ${ratios()}`);
    for (const s of [nexus, echo])
      ctx.log(
        `  ${s.label}: ${Math.round((n / s.ms) * 1000)} conn/s, workerd CPU ${Math.round((s.cpuMs * 1000) / n)} µs per connect`,
      );
    return n;
  });
  const weigh = (s: Side) =>
    fresh(async (ctx, pid) => {
      ensureOpenFiles([process.pid, pid], n + 4096);
      const before = rssBytes(pid);
      const { clients } = await openMany(n, 250, () => s.open(ctx));
      // A pause, not a synchronisation: RSS has no event that says "settled".
      await delay(SETTLE_MS);
      const bytes = (rssBytes(pid) - before) / n;
      await closeAll(clients);
      ctx.log(`  ${s.label}: ${(bytes / 1024).toFixed(1)} KiB of workerd RSS per connection`);
      return bytes;
    });
  const measured = async (s: Side): Promise<Measured> => ({
    n,
    connectMs: summarise(s.perConnectMs),
    perSecond: (n / s.ms) * 1000,
    cpuUs: (s.cpuMs * 1000) / n,
    bytesPerConnection: await weigh(s),
  });
  const nexusFigures = await measured(nexus);
  const echoFigures = await measured(echo);
  return metrics.map((m) => {
    const figure: Figure = {
      scenario: `Connections, ${n.toLocaleString("en")} idle`,
      metric: m.metric,
      unit: m.unit,
      value: m.of(nexusFigures),
      floor: m.of(echoFigures),
      floorLabel: m.floorLabel,
      better: m.better,
      note: m.metric.includes("RSS")
        ? "each side on a runtime of its own"
        : `both sides on one runtime, in ${rounds} rounds of alternating order; Nexus ÷ echo rate per round: ${ratios()}`,
    };
    if (m.metric.startsWith("connect time p50")) {
      figure.latency = nexusFigures.connectMs;
      figure.floorCurve = echoFigures.connectMs.curve;
    }
    return figure;
  });
}

// One token for every connection of a set: minting is not what this scenario measures.
const tokens = new WeakMap<BenchContext, Promise<string>>();
function tokenFor(ctx: BenchContext): Promise<string> {
  let t = tokens.get(ctx);
  if (!t) {
    t = ctx.token({ uid: OWNER_A, app: APP_A });
    tokens.set(ctx, t);
  }
  return t;
}
