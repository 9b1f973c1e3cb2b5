import { APP_A, type Baseline, type BenchContext, type Figure, scaled } from "../context";
import { type LoopResult, runWindow } from "../loop";
import { summarise } from "../stats";
import { WHERE_LABEL, workerPair } from "./workers";

/**
 * Scenario 2: API calls to one echoing worker: serial round trips, then 64 calls in flight.
 * Floor: two echo round trips per call (caller to edge to worker and back), i.e. twice the echo's
 * serial latency, and half the echo's pipelined messages per second.
 *
 * @example
 * ```ts
 * const figures = await benchApi(ctx, baseline);
 * ```
 */
export async function benchApi(ctx: BenchContext, baseline: Baseline): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const where of ["same", "cross"] as const) {
    const pair = await workerPair(ctx, where);
    try {
      const prefix = `{"t":"api","app":"${APP_A}","method":"echo","data":0,"id":"`;
      const send = (k: number) => pair.sender.send(`${prefix}${k}"}`);
      const attach = (done: (k: number) => void, fail: (reason: string) => void) => {
        pair.sender.onFrame = (f) => {
          if (f.t !== "api.result") return;
          if (f.ok !== true) fail(`call failed: ${JSON.stringify(f)}`);
          else done(Number(f.id));
        };
      };
      await runWindow({ count: 1000, maxMs: 1000, window: 64, send, attach });
      const serial = await runWindow({ count: scaled(ctx, 5000), maxMs: ctx.maxMs, window: 1, send, attach });
      const piped = await runWindow({ count: scaled(ctx, 50_000), maxMs: ctx.maxMs, window: 64, send, attach });
      figures.push(...callFigures(`API, ${WHERE_LABEL[where]}`, baseline, serial, piped, true));
    } finally {
      await pair.close();
    }
  }
  return figures;
}

/**
 * The figures of one request/reply scenario (Nexus or a peer): serial round trip p50/p99 against two
 * echo round trips, and calls/s at 64 in flight against half the echo's rate. `withCurve` puts the
 * latency curve and its floor's curve on the p50 row, for the report's charts.
 *
 * @example
 * ```ts
 * const figures = callFigures("API, within one app", baseline, serial, piped, true);
 * ```
 */
export function callFigures(
  scenario: string,
  baseline: Baseline,
  serial: LoopResult,
  piped: LoopResult,
  withCurve: boolean,
): Figure[] {
  const latency = summarise(serial.latencies);
  const curve = withCurve ? { latency, floorCurve: baseline.serial.curve.map((v) => 2 * v) } : {};
  return [
    {
      scenario,
      metric: "serial round trip p50",
      unit: "ms",
      value: latency.p50,
      floor: 2 * baseline.serial.p50,
      floorLabel: "2 echo round trips",
      better: "lower",
      ...curve,
    },
    {
      scenario,
      metric: "serial round trip p99",
      unit: "ms",
      value: latency.p99,
      floor: 2 * baseline.serial.p99,
      floorLabel: "2 echo round trips",
      better: "lower",
    },
    {
      scenario,
      metric: "calls/s (64 in flight)",
      unit: "calls/s",
      value: (piped.completed / piped.elapsedMs) * 1000,
      floor: baseline.msgsPerSec / 2,
      floorLabel: "echo msgs/s ÷ 2",
      better: "higher",
    },
  ];
}
