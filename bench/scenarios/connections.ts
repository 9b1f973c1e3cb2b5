import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { APP_A, type BenchContext, type Figure, type FreshStack, OWNER_A, scaled } from "../context";
import { cpuMs, rssBytes } from "../pin";
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

interface Held {
  clients: WireClient[];
  connectMs: LatencySummary;
  totalMs: number;
  bytesPerConnection: number;
  /** workerd's CPU time per connect while the set opened, in µs (what bounds the rate when it has a core alone). */
  cpuUsPerConnect: number;
}

async function openAndWeigh(
  ctx: BenchContext,
  workerdPid: number,
  count: number,
  open: () => Promise<WireClient>,
): Promise<Held> {
  const before = rssBytes(workerdPid);
  const cpu0 = cpuMs(workerdPid);
  const t0 = performance.now();
  const r = await openMany(count, 250, open, (done) => {
    if (done % 2500 === 0) ctx.log(`  ${done} connected`);
  });
  const totalMs = performance.now() - t0;
  const cpuUsPerConnect = ((cpuMs(workerdPid) - cpu0) * 1000) / count;
  // A pause, not a synchronisation: RSS has no event that says "settled".
  await delay(SETTLE_MS);
  const bytesPerConnection = (rssBytes(workerdPid) - before) / count;
  return { clients: r.clients, connectMs: summarise(r.perConnectMs), totalMs, bytesPerConnection, cpuUsPerConnect };
}

/** Rounds of the pair (Nexus set, echo set): the figures are those of the round with the median ratio. */
export const CONNECTION_ROUNDS = 3;

type Measured = Held & { n: number };

/** Connects of each side opened, unmeasured, before the first round. */
const WARM_UP = 1000;

/** The metrics of a pair of sets, each as (Nexus, echo), and how many times worse than the echo Nexus is. */
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
  {
    metric: "connections/s",
    unit: "conn/s",
    floorLabel: "echo connections/s",
    better: "higher",
    of: (m) => (m.n / m.totalMs) * 1000,
  },
  {
    metric: "workerd RSS per connection",
    unit: "KiB",
    floorLabel: "echo RSS per connection",
    better: "lower",
    of: (m) => m.bytesPerConnection / 1024,
  },
];

/**
 * Scenario 4: `count` idle WebSockets, opened 250 at a time: time per connect and workerd's RSS growth
 * per connection, for Nexus `webuo` blocks of one app and, as the floor, the bare echo. Each set gets a
 * freshly started runtime (`fresh`): an allocator keeps what it frees, so a set opened after earlier
 * work would reuse its memory and look cheaper than it is.
 *
 * The machine's state drifts between sets (a fresh runtime, other work on a shared host: the echo alone
 * measured 840 to 1,390 conn/s in runs minutes apart), so one pair of sets says little. The pair is
 * run `rounds` times, the order alternating (Nexus first, then the echo first, ...) so that neither
 * side always gets the later machine, and each row reports the round whose Nexus-to-echo ratio is the
 * median of that row's ratios (its `note` lists them all). Before the first round, both sides' connects
 * are opened once on a runtime of their own, unmeasured, so that no set runs a cold client. Both sides
 * open the same count, with the same concurrency.
 *
 * @example
 * ```ts
 * const figures = await benchConnections(fresh, 10_000);
 * ```
 */
export async function benchConnections(fresh: FreshStack, count: number, rounds = CONNECTION_ROUNDS): Promise<Figure[]> {
  const weigh = (label: string, open: (ctx: BenchContext) => Promise<WireClient>) =>
    fresh(async (ctx, pid): Promise<Measured> => {
      const n = scaled(ctx, count, 100);
      ensureOpenFiles([process.pid, pid], n + 4096);
      const held = await openAndWeigh(ctx, pid, n, () => open(ctx));
      await closeAll(held.clients);
      ctx.log(
        `  ${label}: ${Math.round((n / held.totalMs) * 1000)} conn/s, workerd CPU ${Math.round(held.cpuUsPerConnect)} µs per connect, ${(held.bytesPerConnection / 1024).toFixed(1)} KiB each`,
      );
      return { ...held, n };
    });
  const nexusOpen = async (ctx: BenchContext) => ctx.connect(await tokenFor(ctx), { kind: "webuo" });
  const nexusSet = () => weigh("Nexus", nexusOpen);
  const echoSet = () => weigh("echo", openEcho);
  // The client's warm-up (Node's JIT of the socket code), on a runtime of its own, for both sides:
  // without it the first set measured (once always Nexus) ran a cold client.
  await fresh(async (ctx) => {
    for (const open of [nexusOpen, openEcho]) await closeAll((await openMany(WARM_UP, 250, () => open(ctx))).clients);
  });
  const pairs: { nexus: Measured; echo: Measured }[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      const nexus = await nexusSet();
      pairs.push({ nexus, echo: await echoSet() });
    } else {
      const echo = await echoSet();
      pairs.push({ nexus: await nexusSet(), echo });
    }
  }
  const scenario = `Connections, ${pairs[0]!.nexus.n.toLocaleString("en")} idle`;
  return metrics.map((m) => {
    const worse = (p: { nexus: Measured; echo: Measured }) =>
      m.better === "higher" ? m.of(p.echo) / m.of(p.nexus) : m.of(p.nexus) / m.of(p.echo);
    const ratios = pairs.map((p) => m.of(p.nexus) / m.of(p.echo));
    const { nexus, echo } = [...pairs].sort((a, b) => worse(a) - worse(b))[Math.floor((pairs.length - 1) / 2)]!;
    const figure: Figure = {
      scenario,
      metric: m.metric,
      unit: m.unit,
      value: m.of(nexus),
      floor: m.of(echo),
      floorLabel: m.floorLabel,
      better: m.better,
      note: `the median of ${pairs.length} rounds; Nexus ÷ echo per round: ${ratios.map((x) => `${x.toFixed(2)}x`).join(", ")}`,
    };
    if (m.metric.startsWith("connect time p50")) {
      figure.latency = nexus.connectMs;
      figure.floorCurve = echo.connectMs.curve;
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
