import { APP_A, APP_B, type Baseline, type BenchContext, type Figure, OWNER_A, OWNER_B, scaled } from "../context";
import { type LoopResult, runWindow } from "../loop";
import { cpuMs } from "../pin";
import { summarise } from "../stats";
import { closeAll, openMany, type WireClient } from "../wire-client";
import { echoLoop } from "./echo";

/**
 * Scenario 3: one publisher, `subscribers` subscribers on one channel. A publish completes when the
 * last subscriber has it. Serial publishes give publish-to-last-delivery latency; 8 publishes in
 * flight give deliveries per second. With one subscriber the floor is the echo with 8 messages in
 * flight too, so that the path and its floor are measured with the same window; and both its loops
 * (serial and 8 in flight) run in rounds with the echo's same loop (`besideEcho`), so that the
 * machine's drift falls on the path and its floor alike.
 * Floors: deliveries/s against the echo's msgs/s; latency against one echo round trip plus the time
 * the echo needs to send `subscribers` messages at its pipelined rate.
 *
 * The subscribers are blocks of the publisher's app, the channel's only member: its app object then
 * numbers the messages itself under the channel's lease (docs/protocol.md, "Numbering leases").
 * `acrossApps` puts them in another app instead: every publish then crosses to the channel object
 * and on to the subscribers' app object, the path of channels shared by apps.
 *
 * @example
 * ```ts
 * const figures = await benchChannel(ctx, baseline, 100);
 * ```
 */
export async function benchChannel(
  ctx: BenchContext,
  baseline: Baseline,
  subscribers: number,
  acrossApps = false,
  workerdPid?: number,
): Promise<Figure[]> {
  const channel = `bench.fanout.${subscribers}.${acrossApps ? "across." : ""}${Date.now()}`;
  const token = await ctx.token({ uid: OWNER_A, app: APP_A });
  const subToken = acrossApps ? await ctx.token({ uid: OWNER_B, app: APP_B }) : token;
  const publisher = await ctx.connect(token, { kind: "default" });
  let subs: WireClient[] = [];
  try {
    subs = (await openMany(subscribers, 100, () => ctx.connect(subToken, { kind: "webuo" }))).clients;
    await Promise.all(subs.map((s) => s.expectAck({ t: "sub", channel })));
    const prefix = `{"t":"pub","channel":"${channel}","data":"`;
    const send = (k: number) => publisher.send(`${prefix}${k}"}`);
    const attach = (done: (k: number) => void) => {
      // A message is done when every subscriber has it; counts are kept per publish number.
      const got = new Map<number, number>();
      for (const s of subs) {
        s.onFrame = (f) => {
          if (f.t !== "msg") return;
          const k = Number(f.data);
          const n = (got.get(k) ?? 0) + 1;
          if (n === subscribers) {
            got.delete(k);
            done(k);
          } else got.set(k, n);
        };
      }
    };
    await runWindow({ count: 20, maxMs: 1000, window: 4, send, attach });
    const serialCount = scaled(ctx, subscribers >= 1000 ? 100 : 500);
    const count = scaled(ctx, subscribers === 1 ? 5000 : subscribers >= 1000 ? 200 : 2000);
    const loop = (window: number) => (n: number, ms: number) => runWindow({ count: n, maxMs: ms, window, send, attach });
    const scenario = `Channel, 1 to ${subscribers.toLocaleString("en")}${acrossApps ? " across apps" : ""}`;
    if (subscribers > 1) {
      const serial = await loop(1)(serialCount, ctx.maxMs);
      const piped = await loop(8)(count, ctx.maxMs);
      return channelFigures(scenario, subscribers, baseline, serial, piped, !acrossApps);
    }
    // One subscriber: the floors (the echo's round trip, the echo with 8 in flight) are measured in the same rounds.
    const echo = await echoLoop(ctx);
    let serial: { path: Measured; echo: Measured };
    let piped: { path: Measured; echo: Measured };
    try {
      await echo.run(2000, 1000, 8); // warm-up
      serial = await besideEcho(workerdPid, loop(1), (n, ms) => echo.run(n, ms, 1), serialCount, ctx.maxMs);
      piped = await besideEcho(workerdPid, loop(8), (n, ms) => echo.run(n, ms, 8), count, ctx.maxMs);
    } finally {
      await echo.close();
    }
    const floor: Baseline = {
      ...baseline,
      serial: summarise(serial.echo.latencies),
      msgsPerSecAt8: (piped.echo.completed / piped.echo.elapsedMs) * 1000,
    };
    const figures = channelFigures(scenario, subscribers, floor, serial.path, piped.path, !acrossApps, ", same rounds");
    // CPU per delivery is steadier than a rate on a shared machine: the runtime's own time, beside the echo's.
    if (workerdPid !== undefined) {
      figures.push({
        scenario,
        metric: "workerd CPU per delivery (8 in flight)",
        unit: "µs",
        value: (piped.path.cpuMs * 1000) / piped.path.completed,
        floor: (piped.echo.cpuMs * 1000) / piped.echo.completed,
        floorLabel: "echo CPU per msg (8 in flight), same rounds",
        better: "lower",
      });
    }
    return figures;
  } finally {
    await closeAll([publisher, ...subs]);
  }
}

/** Rounds of a 1-to-1 channel's loops, each a share of the path's loop and one of the echo's, the order alternating. */
const ROUNDS = 6;

type Measured = LoopResult & { cpuMs: number };

/**
 * Runs `path` and `echo` (the same window) in turn, `ROUNDS` times, each for a share of the count and
 * of the budget, so that the machine's drift (the echo alone moved by a third between runs minutes
 * apart) falls on the path and its floor alike; answers both, summed, with workerd's CPU time of each.
 */
async function besideEcho(
  workerdPid: number | undefined,
  path: (count: number, maxMs: number) => Promise<LoopResult>,
  echo: (count: number, maxMs: number) => Promise<LoopResult>,
  count: number,
  maxMs: number,
): Promise<{ path: Measured; echo: Measured }> {
  const sides = [path, echo].map((run) => ({ run, sum: { completed: 0, elapsedMs: 0, latencies: [] as number[], cpuMs: 0 } }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      const cpu0 = workerdPid === undefined ? 0 : cpuMs(workerdPid);
      const result = await side.run(Math.ceil(count / ROUNDS), maxMs / ROUNDS);
      side.sum.cpuMs += workerdPid === undefined ? 0 : cpuMs(workerdPid) - cpu0;
      side.sum.completed += result.completed;
      side.sum.elapsedMs += result.elapsedMs;
      side.sum.latencies.push(...result.latencies);
    }
  }
  return { path: sides[0]!.sum, echo: sides[1]!.sum };
}

/**
 * The figures of one fan-out scenario (Nexus or a peer): deliveries/s at 8 publishes in flight and
 * publish-to-last-delivery p50/p99, each against its echo floor. `withCurve` puts the latency curve
 * and its floor's curve on the p50 row, for the report's charts; `floorNote` follows every floor's
 * label (", same rounds" for floors measured beside the path).
 *
 * @example
 * ```ts
 * const figures = channelFigures("Channel, 1 to 100", 100, baseline, serial, piped, true);
 * ```
 */
export function channelFigures(
  scenario: string,
  subscribers: number,
  baseline: Baseline,
  serial: LoopResult,
  piped: LoopResult,
  withCurve: boolean,
  floorNote = "",
): Figure[] {
  const latency = summarise(serial.latencies);
  const fanFloor = (n: number) => n + ((subscribers - 1) / baseline.msgsPerSec) * 1000;
  const floorLabel = (subscribers === 1 ? "echo RTT" : `echo RTT + ${subscribers - 1} echo msgs`) + floorNote;
  const curve = withCurve ? { latency, floorCurve: baseline.serial.curve.map(fanFloor) } : {};
  return [
    {
      scenario,
      metric: channelRateMetric(subscribers),
      unit: "msg/s",
      value: ((piped.completed * subscribers) / piped.elapsedMs) * 1000,
      floor: subscribers === 1 ? baseline.msgsPerSecAt8 : baseline.msgsPerSec,
      floorLabel: (subscribers === 1 ? "echo msgs/s (8 in flight)" : "echo msgs/s (64 in flight)") + floorNote,
      better: "higher",
    },
    {
      scenario,
      metric: "publish to last delivery p50",
      unit: "ms",
      value: latency.p50,
      floor: fanFloor(baseline.serial.p50),
      floorLabel,
      better: "lower",
      ...curve,
    },
    {
      scenario,
      metric: "publish to last delivery p99",
      unit: "ms",
      value: latency.p99,
      floor: fanFloor(baseline.serial.p99),
      floorLabel,
      better: "lower",
    },
  ];
}

/**
 * The channel scenarios' rate metric: 8 publishes in flight, which is 8 deliveries with one
 * subscriber (judged against the echo with 8 in flight) and 800 or 8,000 with fan-out.
 *
 * @example
 * ```ts
 * channelRateMetric(1); // "deliveries/s (8 in flight)"
 * ```
 */
export function channelRateMetric(subscribers: number): string {
  return subscribers === 1 ? "deliveries/s (8 in flight)" : "deliveries/s (8 publishes in flight)";
}
