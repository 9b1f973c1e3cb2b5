import { BenchWireError, lostSockets } from "./wire-client";

/** What a measurement loop measured. */
export interface LoopResult {
  /** Units completed. */
  completed: number;
  /** Milliseconds from the first send to the last completion. */
  elapsedMs: number;
  /** Per-unit latency (send to completion), in milliseconds. */
  latencies: number[];
}

/**
 * Keeps `window` units in flight until `count` are done or `maxMs` has passed, then waits for the
 * ones in flight. `send(k)` starts unit k; the scenario calls `complete(k)` (given to `attach`)
 * when unit k is done. A window of 1 is a serial round-trip loop.
 *
 * @example
 * ```ts
 * const r = await runWindow({ count: 1000, maxMs: 3000, window: 64,
 *   send: (k) => ws.send(String(k)), attach: (done) => ws.on("message", (m) => done(Number(m))) });
 * ```
 */
export function runWindow(options: {
  count: number;
  maxMs: number;
  window: number;
  send(k: number): void;
  attach(complete: (k: number) => void, fail: (reason: string) => void): void;
  /** A unit not completed this long after sending fails the loop (lost message). */
  stallMs?: number;
}): Promise<LoopResult> {
  const { count, maxMs, window, send } = options;
  const sentAt = new Float64Array(count);
  const latencies: number[] = [];
  let sent = 0;
  let completed = 0;
  let stopped = false;
  let lastProgress = performance.now();
  const start = performance.now();
  const lostBefore = lostSockets.count;
  return new Promise((resolve, reject) => {
    const watchdog = setInterval(() => {
      if (lostSockets.count !== lostBefore) {
        clearInterval(watchdog);
        const why = `a socket closed under the bench (code ${lostSockets.lastCode}); was the runtime reloaded?`;
        reject(new BenchWireError(why, "closed"));
        return;
      }
      if (performance.now() - lastProgress > (options.stallMs ?? 10_000)) {
        clearInterval(watchdog);
        reject(new BenchWireError(`stalled: ${completed} of ${sent} completed`, "timeout"));
      }
    }, 250);
    const sendOne = () => {
      const k = sent++;
      sentAt[k] = performance.now();
      send(k);
    };
    const fail = (reason: string) => {
      clearInterval(watchdog);
      stopped = true;
      reject(new BenchWireError(reason, "failed"));
    };
    options.attach((k) => {
      const now = performance.now();
      if (completed === sent) return; // nothing in flight: a duplicate, or a completion after a failure
      latencies.push(now - sentAt[k]!);
      completed++;
      lastProgress = now;
      if (!stopped && (sent >= count || now - start > maxMs)) stopped = true;
      if (!stopped) sendOne();
      else if (completed === sent) {
        clearInterval(watchdog);
        resolve({ completed, elapsedMs: now - start, latencies });
      }
    }, fail);
    for (let i = 0; i < Math.min(window, count); i++) sendOne();
  });
}
