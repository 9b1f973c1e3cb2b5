import { APP_A, type Baseline, type BenchContext, type Figure, scaled } from "../context";
import { runWindow } from "../loop";
import { WHERE_LABEL, workerPair } from "./workers";

/**
 * Scenario 1: one sender streams Directs to one worker (64 in flight, counted at the worker).
 * Floor: the echo's pipelined messages per second.
 *
 * @example
 * ```ts
 * const figures = await benchDirect(ctx, baseline);
 * ```
 */
export async function benchDirect(ctx: BenchContext, baseline: Baseline): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const where of ["same", "cross"] as const) {
    const pair = await workerPair(ctx, where);
    try {
      const prefix = `{"t":"direct","app":"${APP_A}","resource":"${pair.resource}","data":"`;
      const send = (k: number) => pair.sender.send(`${prefix}${k}"}`);
      const attach = (done: (k: number) => void) => {
        pair.worker.onFrame = (f) => {
          if (f.t === "direct") done(Number(f.data));
        };
      };
      await runWindow({ count: 1000, maxMs: 1000, window: 64, send, attach });
      const r = await runWindow({ count: scaled(ctx, 100_000), maxMs: ctx.maxMs, window: 64, send, attach });
      figures.push({
        scenario: `Direct, ${WHERE_LABEL[where]}`,
        metric: "msgs/s (64 in flight)",
        unit: "msg/s",
        value: (r.completed / r.elapsedMs) * 1000,
        floor: baseline.msgsPerSec,
        floorLabel: "echo msgs/s",
        better: "higher",
      });
    } finally {
      await pair.close();
    }
  }
  return figures;
}
