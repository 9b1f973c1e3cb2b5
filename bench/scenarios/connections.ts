import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { APP_A, type BenchContext, type Figure, type FreshStack, OWNER_A, scaled } from "../context";
import { rssBytes } from "../pin";
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
}

async function openAndWeigh(
  ctx: BenchContext,
  workerdPid: number,
  count: number,
  open: () => Promise<WireClient>,
): Promise<Held> {
  const before = rssBytes(workerdPid);
  const t0 = performance.now();
  const r = await openMany(count, 250, open, (done) => {
    if (done % 2500 === 0) ctx.log(`  ${done} connected`);
  });
  const totalMs = performance.now() - t0;
  // A pause, not a synchronisation: RSS has no event that says "settled".
  await delay(SETTLE_MS);
  const bytesPerConnection = (rssBytes(workerdPid) - before) / count;
  return { clients: r.clients, connectMs: summarise(r.perConnectMs), totalMs, bytesPerConnection };
}

/**
 * Scenario 4: `count` idle WebSockets, opened 250 at a time: time per connect and workerd's RSS growth
 * per connection, for Nexus `webuo` blocks of one app and, as the floor, the bare echo. Each set gets a
 * freshly started runtime (`fresh`): an allocator keeps what it frees, so a set opened after earlier
 * work would reuse its memory and look cheaper than it is.
 *
 * @example
 * ```ts
 * const figures = await benchConnections(fresh, 10_000);
 * ```
 */
export async function benchConnections(fresh: FreshStack, count: number): Promise<Figure[]> {
  const weigh = (open: (ctx: BenchContext) => Promise<WireClient>) =>
    fresh(async (ctx, pid) => {
      const n = scaled(ctx, count, 100);
      ensureOpenFiles([process.pid, pid], n + 4096);
      const held = await openAndWeigh(ctx, pid, n, () => open(ctx));
      await closeAll(held.clients);
      return { ...held, n };
    });
  const nexus = await weigh(async (ctx) => ctx.connect(await tokenFor(ctx), { kind: "webuo" }));
  const echo = await weigh((ctx) => openEcho(ctx));
  const n = nexus.n;
  const scenario = `Connections, ${n.toLocaleString("en")} idle`;
  return [
    {
      scenario,
      metric: "connect time p50 (250 at a time)",
      unit: "ms",
      value: nexus.connectMs.p50,
      floor: echo.connectMs.p50,
      floorLabel: "echo connect p50",
      better: "lower",
      latency: nexus.connectMs,
      floorCurve: echo.connectMs.curve,
    },
    {
      scenario,
      metric: "connect time p99 (250 at a time)",
      unit: "ms",
      value: nexus.connectMs.p99,
      floor: echo.connectMs.p99,
      floorLabel: "echo connect p99",
      better: "lower",
    },
    {
      scenario,
      metric: "connections/s",
      unit: "conn/s",
      value: (n / nexus.totalMs) * 1000,
      floor: (n / echo.totalMs) * 1000,
      floorLabel: "echo connections/s",
      better: "higher",
    },
    {
      scenario,
      metric: "workerd RSS per connection",
      unit: "KiB",
      value: nexus.bytesPerConnection / 1024,
      floor: echo.bytesPerConnection / 1024,
      floorLabel: "echo RSS per connection",
      better: "lower",
    },
  ];
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
