import { type Costs, MEASURED } from "./calibration";
import { Cpu, Obj, Sim } from "./engine";
import { Flows } from "./flows";

/** One bench figure beside what the model makes of the same scenario. */
export interface ReplicaFigure {
  scenario: string;
  unit: string;
  measured: number;
  simulated: number;
  /** True when the figure was used to derive a cost (then it checks the simulator, not the derivation). */
  derivedFrom: boolean;
}

type Unit = (flows: Flows, objs: Obj[], done: () => void) => void;

/**
 * Runs one bench scenario as the bench does: `window` units in flight, a new one when one completes,
 * every object on one CPU (the bench's workerd has one core); answers completed units per second.
 */
function closedLoop(costs: Costs, objects: number, window: number, unit: Unit, perUnit = 1): number {
  const sim = new Sim();
  const cpu = new Cpu("workerd");
  const objs = Array.from({ length: objects }, (_, i) => new Obj(sim, `o${i}`, "app", cpu));
  const flows = new Flows(sim, costs);
  const warmup = 100;
  const end = 600;
  let done = 0;
  const one = (): void =>
    unit(flows, objs, () => {
      if (sim.now >= warmup && sim.now < end) done++;
      if (sim.now < end) one();
    });
  for (let i = 0; i < window; i++) one();
  sim.run(end);
  return ((done * perUnit) / (end - warmup)) * 1000;
}

/** Serial round trip (window 1), ms. */
function serialMs(costs: Costs, objects: number, unit: Unit): number {
  return 1000 / closedLoop(costs, objects, 1, unit);
}

const echo: Unit = (f, [e], done) => f.fromClient(e!, 0, () => f.toClients(e!, 1, 0, done));
const apiWithin: Unit = (f, [a], done) => f.apiCall(a!, a!, done);
const apiAcross: Unit = (f, [a, b], done) => f.apiCall(a!, b!, done);
const directWithin: Unit = (f, [a], done) => f.direct(a!, a!, done);
const directAcross: Unit = (f, [a, b], done) => f.direct(a!, b!, done);
const channel =
  (subscribers: number): Unit =>
  (f, [app, ch], done) =>
    f.publish(app!, ch!, { objs: [app!], subscribers: [subscribers] }, { add: done });

/** Deliveries per second of the bench's channel scenario (one member app, 8 publishes in flight). */
export function channelDeliveries(costs: Costs, subscribers: number): number {
  return closedLoop(costs, 2, 8, channel(subscribers), subscribers);
}

/**
 * The bench's scenarios through the model, beside the measured figures.
 *
 * @example
 * ```ts
 * for (const f of replicateBench(calibratedCosts())) console.log(f.scenario, f.measured, f.simulated);
 * ```
 */
export function replicateBench(costs: Costs): ReplicaFigure[] {
  const m = MEASURED;
  const row = (scenario: string, unit: string, measured: number, simulated: number, derivedFrom = true) => ({
    scenario,
    unit,
    measured,
    simulated,
    derivedFrom,
  });
  return [
    row("Baseline: DO WebSocket echo, msgs/s", "msg/s", m.echoMsgsPerSec, closedLoop(costs, 1, 64, echo)),
    row("Direct, within one app, msgs/s", "msg/s", m.directWithinPerSec, closedLoop(costs, 1, 64, directWithin)),
    row("Direct, across apps, msgs/s", "msg/s", m.directAcrossPerSec, closedLoop(costs, 2, 64, directAcross)),
    row("API, within one app, calls/s", "calls/s", m.apiWithinPerSec, closedLoop(costs, 1, 64, apiWithin)),
    row("API, across apps, calls/s", "calls/s", m.apiAcrossPerSec, closedLoop(costs, 2, 64, apiAcross)),
    row("Channel, 1 to 1, deliveries/s", "msg/s", m.channel1to1PerSec, channelDeliveries(costs, 1)),
    row("Channel, 1 to 100, deliveries/s", "msg/s", m.channel1to100PerSec, channelDeliveries(costs, 100)),
    row("Channel, 1 to 1,000, deliveries/s", "msg/s", m.channel1to1000PerSec, channelDeliveries(costs, 1000), false),
    row("Baseline: echo, serial round trip p50", "ms", m.echoRttP50Ms, serialMs(costs, 1, echo)),
    row("API, within one app, serial p50", "ms", m.apiWithinP50Ms, serialMs(costs, 1, apiWithin), false),
  ];
}
