import { cpus, loadavg } from "node:os";
import { startLocalStack } from "../scripts/local-stack";
import { type Baseline, type BenchContext, type Figure, type FreshStack, setUpApps } from "./context";
import { LIFTED_LIMITS } from "./lifted-limits";
import { peerDriver } from "./peers/clients";
import { attachPeers, benchPeer } from "./peers/scenarios";
import { PEER_PACKAGES, type PeerServer, startPeers } from "./peers/servers";
import { type Placement, pinProcess } from "./pin";
import type { BenchResults, PlacementRun } from "./report/results";
import { RuntimeTracker } from "./runtime-tracker";
import { benchApi } from "./scenarios/api";
import { benchBridge, bridgeAvailable } from "./scenarios/bridge";
import { benchChannel } from "./scenarios/channel";
import { benchConnections, CONNECTION_ROUNDS } from "./scenarios/connections";
import { benchDirect } from "./scenarios/direct";
import { measureEcho } from "./scenarios/echo";

/** What to run; every field has a default that completes within 10 minutes on 2 cores. */
export interface BenchOptions {
  placements?: Placement[];
  /** Upper bound on one measurement loop, in ms. */
  maxMs?: number;
  /** Scales every count (0.1 for a quick smoke run). */
  scale?: number;
  /** Idle connections held open in the connections scenario. */
  connections?: number;
  /** Rounds of the connections scenario, each a set of each side on one runtime, the order alternating. */
  connectionRounds?: number;
  /** Only the scenarios whose names start with one of these (case-insensitive): "direct", "api", "channel", "connections", "bridge". */
  only?: string[];
  /** Stop starting scenarios after this many ms. */
  budgetMs?: number;
  /** Also start mosquitto and nats-server and run the same scenarios against them (skipped with a note when absent). */
  peers?: boolean;
  log?: (message: string) => void;
  /** Called before each step, for progress bars. */
  onStep?: (done: number, total: number, label: string) => void;
}

/** The edge variables of a bench stack: bench mode, every limit lifted (see LIFTED_LIMITS). */
export const BENCH_VARS = { NEXUS_BENCH: "1", ...LIFTED_LIMITS };

/** A scenario on the shared stack: gets the baseline and the runtime's pid. */
type Step = { label: string; run(ctx: BenchContext, baseline: Baseline, workerdPid: number): Promise<Figure[]> };

/** A scenario that needs runtimes of its own (memory figures, the bridge). */
type IsolatedStep = { label: string; run(fresh: FreshStack): Promise<Figure[]> };

function baselineFigures(b: Baseline): Figure[] {
  const common = { scenario: "Baseline: DO WebSocket echo", floorLabel: "itself" } as const;
  return [
    {
      ...common,
      metric: "serial round trip p50",
      unit: "ms",
      value: b.serial.p50,
      floor: b.serial.p50,
      better: "lower",
      latency: b.serial,
    },
    { ...common, metric: "serial round trip p99", unit: "ms", value: b.serial.p99, floor: b.serial.p99, better: "lower" },
    { ...common, metric: "msgs/s (64 in flight)", unit: "msg/s", value: b.msgsPerSec, floor: b.msgsPerSec, better: "higher" },
    {
      ...common,
      metric: "msgs/s (8 in flight)",
      unit: "msg/s",
      value: b.msgsPerSecAt8,
      floor: b.msgsPerSecAt8,
      better: "higher",
    },
    ...(b.cpuUsPerMsgAt8 === undefined
      ? []
      : [
          {
            ...common,
            metric: "workerd CPU per msg (8 in flight)",
            unit: "µs",
            value: b.cpuUsPerMsgAt8,
            floor: b.cpuUsPerMsgAt8,
            better: "lower" as const,
          },
        ]),
  ];
}

/**
 * Starts the local stack with rate limits lifted, runs every scenario once per placement of server
 * and client on the cores, and returns the figures with their floors. Stops what it started.
 * Direct, API and Channel share one stack; Connections and Bridge get a fresh stack per placement.
 *
 * @example
 * ```ts
 * const results = await runBench({ placements: ["separate"], scale: 0.1 });
 * ```
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchResults> {
  const placements = options.placements ?? ["separate", "shared"];
  const maxMs = options.maxMs ?? 3000;
  const scale = options.scale ?? 1;
  const connections = options.connections ?? 10_000;
  const connectionRounds = options.connectionRounds ?? CONNECTION_ROUNDS;
  const budgetMs = options.budgetMs ?? 8.5 * 60_000;
  const log = options.log ?? (() => {});
  const started = Date.now();
  // Other work on the machine skews every figure; the load averages say how quiet it was.
  const loadAvgAtStart = loadavg();
  const wanted = (label: string) => !options.only || options.only.some((o) => label.toLowerCase().startsWith(o.toLowerCase()));
  const steps: Step[] = (
    [
      { label: "Direct", run: (ctx, b) => benchDirect(ctx, b) },
      { label: "API", run: (ctx, b) => benchApi(ctx, b) },
      { label: "Channel 1 to 1", run: (ctx, b, pid) => benchChannel(ctx, b, 1, false, pid) },
      { label: "Channel 1 to 1 across apps", run: (ctx, b, pid) => benchChannel(ctx, b, 1, true, pid) },
      { label: "Channel 1 to 100", run: (ctx, b) => benchChannel(ctx, b, 100) },
      { label: "Channel 1 to 1,000", run: (ctx, b) => benchChannel(ctx, b, 1000) },
    ] as Step[]
  ).filter((s) => wanted(s.label));
  const isolated: IsolatedStep[] = (
    [
      { label: `Connections ${connections}`, run: (fresh) => benchConnections(fresh, connections, connectionRounds) },
      ...(bridgeAvailable() ? [{ label: "Bridge", run: (fresh: FreshStack) => fresh((ctx) => benchBridge(ctx)) }] : []),
    ] as IsolatedStep[]
  ).filter((s) => wanted(s.label));
  const peerSteps = options.peers ? 2 : 0;
  const total = placements.length * (steps.length + 1 + peerSteps + isolated.length);
  let done = 0;
  const step = (label: string) => options.onStep?.(done++, total, label);
  const overBudget = () => Date.now() - started > budgetMs;
  const runs: PlacementRun[] = placements.map((placement) => ({ placement, pinning: "", figures: [], skipped: [] }));
  if (!bridgeAvailable())
    for (const run of runs) run.skipped.push("Bridge: bridge not available (bridge/src/index.ts does not exist yet)");

  let peers: PeerServer[] = [];
  if (options.peers) {
    const started = await startPeers().catch((err: Error) => err);
    if (started instanceof Error) for (const run of runs) run.skipped.push(`peers: ${started.message}`);
    else {
      peers = started.servers;
      for (const name of started.missing)
        for (const run of runs) run.skipped.push(`peer ${name}: not installed (apt-get install -y ${PEER_PACKAGES})`);
    }
  }

  try {
    await withStack({ maxMs, scale, log }, async (rt) => {
      for (const run of runs) {
        run.pinning = await rt.place(run.placement);
        log(`${run.placement} cores (${run.pinning})`);
        step(`${run.placement}: baseline echo`);
        const baseline = await rt.attempt(run.placement, (pid) => measureEcho(rt.ctx, 64, pid));
        if (baseline instanceof Error) run.skipped.push(`every scenario: the baseline echo failed (${baseline.message})`);
        else run.figures.push(...baselineFigures(baseline));
        for (const s of steps) {
          step(`${run.placement}: ${s.label}`);
          if (baseline instanceof Error) continue;
          if (overBudget()) run.skipped.push(`${s.label}: time budget exhausted`);
          else {
            log(`  ${s.label}`);
            record(run, s.label, await rt.attempt(run.placement, (pid) => s.run(rt.ctx, baseline, pid)));
          }
        }
        for (const peer of peers) {
          step(`${run.placement}: ${peer.name}`);
          if (baseline instanceof Error) continue;
          if (overBudget()) {
            run.skipped.push(`${peer.name}: time budget exhausted`);
            continue;
          }
          log(`  ${peer.name} ${peer.version}`);
          // The peer takes workerd's place: on core 1 when separate, beside the client on core 0 when shared.
          pinProcess(peer.pid, run.placement === "separate" ? "1" : "0");
          record(run, peer.name, await benchPeer(peerDriver(peer), baseline, { maxMs, scale }).catch((err: Error) => err));
        }
        attachPeers(run.figures);
        rt.unpin();
      }
    }).catch((err: Error) => {
      for (const run of runs) run.skipped.push(`Direct, API, Channel: the stack failed (${err.message})`);
    });
  } finally {
    for (const peer of peers) peer.stop();
  }

  for (const s of isolated) {
    for (const run of runs) {
      step(`${run.placement}: ${s.label}`);
      if (overBudget()) {
        run.skipped.push(`${s.label}: time budget exhausted`);
        continue;
      }
      log(`  ${s.label} (${run.placement} cores)`);
      const fresh: FreshStack = (work) =>
        withStack({ maxMs, scale, log }, async (rt) => {
          const outcome = await rt.attempt(run.placement, (pid) => work(rt.ctx, pid));
          if (outcome instanceof Error) throw outcome;
          return outcome;
        });
      record(run, s.label, await s.run(fresh).catch((err: Error) => err));
    }
  }
  options.onStep?.(total, total, "done");

  const cpu = cpus();
  return {
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? "unknown",
      node: process.version,
      platform: process.platform,
      loadAvgAtStart,
      loadAvgAtEnd: loadavg(),
    },
    options: { maxMs, scale, connections, connectionRounds, peers: peers.map((p) => `${p.name} ${p.version}`) },
    runs,
  };
}

function record(run: PlacementRun, label: string, outcome: Figure[] | Error): void {
  if (outcome instanceof Error) run.skipped.push(`${label} failed: ${outcome.message}`);
  else run.figures.push(...outcome);
}

/** Starts a stack (no bridge: the bridge scenario starts its own, against the runtime), sets up the apps, runs `work`, stops it. */
async function withStack<T>(
  options: { maxMs: number; scale: number; log(message: string): void },
  work: (rt: RuntimeTracker) => Promise<T>,
): Promise<T> {
  const stack = await startLocalStack({ mqttPort: 0, vars: BENCH_VARS });
  try {
    const rt = await RuntimeTracker.start(stack, options);
    await setUpApps(rt.ctx);
    try {
      return await work(rt);
    } finally {
      rt.unpin();
    }
  } finally {
    await stack.stop();
  }
}
