import type { Baseline, BenchContext } from "../context";
import { type LoopResult, runWindow } from "../loop";
import { cpuMs } from "../pin";
import { summarise } from "../stats";
import { type Frame, WireClient } from "../wire-client";

/** The same size and shape as a Direct frame, so the echo parses what Nexus parses. */
const payload = (k: number) => JSON.stringify({ t: "direct", app: "bench-a", resource: "defaultEcho", data: String(k) });

/**
 * Opens one socket to the bare Durable Object echo (GET /bench/echo).
 *
 * @example
 * ```ts
 * const echo = await openEcho(ctx); echo.send("hi");
 * ```
 */
export function openEcho(ctx: BenchContext): Promise<WireClient> {
  return WireClient.open(`${ctx.edgeUrl.replace(/^http/, "ws")}/bench/echo`, { welcome: false });
}

/**
 * A pipelined loop on one echo socket, to run beside a path in the same rounds (its floor measured in
 * the same window of time, not minutes before).
 *
 * @example
 * ```ts
 * const echo = await echoLoop(ctx);
 * const r = await echo.run(5000, 500, 8); // LoopResult
 * await echo.close();
 * ```
 */
export async function echoLoop(
  ctx: BenchContext,
): Promise<{ run(count: number, maxMs: number, window: number): Promise<LoopResult>; close(): Promise<void> }> {
  const c = await openEcho(ctx);
  const attach = (done: (k: number) => void) => {
    c.onFrame = (f: Frame) => done(Number(f.data));
  };
  const send = (k: number) => c.send(payload(k));
  return { run: (count, maxMs, window) => runWindow({ count, maxMs, window, send, attach }), close: () => c.close() };
}

/**
 * The baseline: serial round trips and pipelined messages per second (64 in flight, and 8 in
 * flight for the paths that keep 8 in flight) through a
 * hibernatable Durable Object WebSocket that echoes every message.
 *
 * @example
 * ```ts
 * const baseline = await measureEcho(ctx); // { serial: {p50: 0.25, ...}, msgsPerSec: 21000 }
 * ```
 */
export async function measureEcho(ctx: BenchContext, window = 64, workerdPid?: number): Promise<Baseline> {
  const echo = await echoLoop(ctx);
  try {
    await echo.run(2000, 1000, window); // warm-up: JIT, object start
    const serial = await echo.run(Math.round(5000 * ctx.scale), ctx.maxMs, 1);
    const piped = await echo.run(Math.round(100_000 * ctx.scale), ctx.maxMs, window);
    const cpu0 = workerdPid === undefined ? 0 : cpuMs(workerdPid);
    const piped8 = await echo.run(Math.round(50_000 * ctx.scale), ctx.maxMs, 8);
    const baseline: Baseline = {
      serial: summarise(serial.latencies),
      msgsPerSec: (piped.completed / piped.elapsedMs) * 1000,
      msgsPerSecAt8: (piped8.completed / piped8.elapsedMs) * 1000,
    };
    if (workerdPid !== undefined) baseline.cpuUsPerMsgAt8 = ((cpuMs(workerdPid) - cpu0) * 1000) / piped8.completed;
    return baseline;
  } finally {
    await echo.close();
  }
}
