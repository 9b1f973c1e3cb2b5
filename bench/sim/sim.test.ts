import { describe, expect, it } from "vitest";
import { replicateBench } from "./bench-replica";
import { deriveCosts, MEASURED } from "./calibration";
import { calibratedCosts } from "./fit";
import { l2, l3 } from "./loads";
import { runLoad } from "./measure";

// The model's calibration: run through the simulator the way the bench runs them (same windows in
// flight, every object on workerd's one core), the bench's own scenarios must give the figures that
// the costs were derived from (MEASURED, with its source), within 5 %. This checks the queueing,
// the batching and the derivations together; the two out-of-sample figures are reported, not held.
const TOLERANCE = 0.05;

describe("scale simulation", () => {
  const costs = calibratedCosts();
  const figures = replicateBench(costs);

  it.each(figures.filter((f) => f.derivedFrom).map((f) => [f.scenario, f] as const))("reproduces the bench's %s", (_, f) => {
    expect(Math.abs(f.simulated / f.measured - 1)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("gives one object's API calls/s and a 1-to-100 channel's deliveries/s as measured", () => {
    const api = figures.find((f) => f.scenario.startsWith("API, within one app, calls/s"))!;
    const fan = figures.find((f) => f.scenario.startsWith("Channel, 1 to 100,"))!;
    expect(api.measured).toBe(MEASURED.apiWithinPerSec);
    expect(Math.abs(api.simulated / api.measured - 1)).toBeLessThanOrEqual(TOLERANCE);
    expect(fan.measured).toBe(MEASURED.channel1to100PerSec);
    expect(Math.abs(fan.simulated / fan.measured - 1)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("derives costs that add up to the echo's rate", () => {
    const c = deriveCosts();
    expect((c.wsIn + c.wsOut) * MEASURED.echoMsgsPerSec).toBeCloseTo(1e6, 3);
    expect(c.wsOut).toBeGreaterThan(0);
    expect(c.rpcCall).toBeGreaterThan(0);
  });

  it("is deterministic: the same seed gives the same run, another seed another one", () => {
    const a = runLoad(costs, l2(false), 0.5, 19);
    const b = runLoad(costs, l2(false), 0.5, 19);
    const c = runLoad(costs, l2(false), 0.5, 20);
    expect(b).toEqual(a);
    expect(c.samples).not.toBe(a.samples);
  });

  it("finds today's single channel object saturated by 100,000 subscribers in 5,000 apps, and the tree not", () => {
    const today = runLoad(costs, l3(true), 1, 19);
    const design = runLoad(costs, l3(false), 1, 19);
    expect(today.queuesGrow).toBe(true);
    expect(today.binding.where).toBe("channel object");
    expect(design.queuesGrow).toBe(false);
    expect(design.binding.headroom).toBeGreaterThan(1);
  });
});
