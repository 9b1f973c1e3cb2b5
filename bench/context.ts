import type { LocalStack } from "../scripts/local-stack";
import type { LatencySummary } from "./stats";
import { WireClient } from "./wire-client";

/** One measured figure, next to the floor it is judged against. */
export interface Figure {
  scenario: string;
  metric: string;
  unit: string;
  value: number;
  /** What the same work costs the bare echo baseline in this run, in the same unit. */
  floor: number;
  floorLabel: string;
  /** Throughputs are better higher, latencies lower. */
  better: "higher" | "lower";
  latency?: LatencySummary;
  /** The floor's latency curve (101 percentiles), drawn beside `latency`. */
  floorCurve?: number[];
  note?: string;
  /** Set on a peer server's figure: the peer's name and version ("NATS 2.9.10"). */
  peer?: string;
  /** On a Nexus figure: what each peer measured for the same work in the same run, by peer name. */
  peers?: Record<string, number>;
}

/**
 * How many times worse than the floor a figure is (1.0 = as good as the bare echo).
 *
 * @example
 * ```ts
 * costFactor({ ...f, better: "higher", value: 5000, floor: 10000 }); // 2
 * ```
 */
export function costFactor(f: Figure): number {
  return f.better === "higher" ? f.floor / f.value : f.value / f.floor;
}

/** The baseline figures that the Nexus scenarios are divided by. */
export interface Baseline {
  serial: LatencySummary;
  msgsPerSec: number;
  /** The echo's msgs/s with 8 in flight: the floor of one publisher to one subscriber, which keeps 8 publishes in flight. */
  msgsPerSecAt8: number;
  /** The runtime's CPU (all of workerd, from /proc) per echoed message with 8 in flight, in µs, when its pid was given. */
  cpuUsPerMsgAt8?: number;
}

/** What every scenario gets: the stack, helpers for the registry and tokens, and its budget. */
export interface BenchContext {
  stack: LocalStack;
  /** The edge runtime's own address (no dev proxy), `http://...`; updated if the runtime restarts. */
  edgeUrl: string;
  /** Upper bound on the duration of one measurement loop. */
  maxMs: number;
  /** Scales every count (0.1 for a quick run). */
  scale: number;
  log(message: string): void;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  token(claims: { uid: string; app: string; kinds?: string[]; ttlSeconds?: number }): Promise<string>;
  /** Opens a Nexus connection and waits for its welcome. */
  connect(token: string, target: { kind: string } | { resource: string }): Promise<WireClient>;
}

/**
 * Builds the context for a running stack.
 *
 * @example
 * ```ts
 * const ctx = benchContext(stack, edge.runtimeUrl, { maxMs: 4000, scale: 1, log: console.log });
 * ```
 */
export function benchContext(
  stack: LocalStack,
  edgeUrl: string,
  options: { maxMs: number; scale: number; log(message: string): void },
): BenchContext {
  const admin: BenchContext["admin"] = async (method, path, body) => {
    const res = await fetch(ctx.edgeUrl + path, {
      method,
      headers: { authorization: `Bearer ${stack.adminKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const ctx: BenchContext = {
    stack,
    edgeUrl,
    ...options,
    admin,
    async token(claims) {
      const r = await admin("POST", "/v1/admin/tokens", claims);
      if (r.status !== 200) throw new Error(`token: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    connect(token, target) {
      return WireClient.open(`${ctx.edgeUrl.replace(/^http/, "ws")}/v1/connect?${new URLSearchParams({ token, ...target })}`);
    },
  };
  return ctx;
}

/** Runs `work` on a stack started for it alone (and stopped after), pinned as the placement says. */
export type FreshStack = <T>(work: (ctx: BenchContext, workerdPid: number) => Promise<T>) => Promise<T>;

/**
 * Scales a count, never below `min`.
 *
 * @example
 * ```ts
 * scaled({ ...ctx, scale: 0.1 }, 5000); // 500
 * ```
 */
export function scaled(ctx: BenchContext, count: number, min = 10): number {
  return Math.max(min, Math.round(count * ctx.scale));
}

/** The apps the scenarios use: `bench-a` owned by OWNER_A, `bench-b` owned by OWNER_B, who holds a grant on `bench-a`. */
export const APP_A = "bench-a";
export const APP_B = "bench-b";
export const OWNER_A = "benchownera";
export const OWNER_B = "benchownerb";

/**
 * Creates the bench's apps and the grant that lets `bench-b` call `bench-a`.
 *
 * @example
 * ```ts
 * await setUpApps(ctx);
 * ```
 */
export async function setUpApps(ctx: BenchContext): Promise<void> {
  for (const [app, owner] of [
    [APP_A, OWNER_A],
    [APP_B, OWNER_B],
  ] as const) {
    const r = await ctx.admin("PUT", `/v1/admin/apps/${app}`, { owner });
    if (r.status !== 200) throw new Error(`create ${app}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }
  const g = await ctx.admin("PUT", `/v1/admin/apps/${APP_A}/grants/${OWNER_B}`, { kind: "get" });
  if (g.status !== 200) throw new Error(`grant: HTTP ${g.status} ${JSON.stringify(g.body)}`);
}
