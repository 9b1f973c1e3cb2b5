import { describe, expect, it } from "vitest";
import { runSoak } from "../../bench/soak/soak";
import { soakProblems } from "../../bench/soak/soak-results";

// `npm run soak` in small: 15 s of 40 churning SDK connections (connect, serve or subscribe, call,
// publish, close or drop and reconnect) beside the canary pairs, through the same code. Only counts
// are asserted (nothing lost, duplicated or reordered; the stack stayed up), never speed.
describe("soak", () => {
  it("15 s of churn: the canaries lose nothing and the stack stays up", { timeout: 180_000 }, async () => {
    const r = await runSoak({
      durationMs: 15_000,
      connections: 40,
      plan: { callEveryMs: 1000, publishEveryMs: 2000 },
      canaryDropEveryMs: 4000,
    });
    expect(soakProblems(r)).toEqual([]);
    // It did churn: every slot lived several lives, some of them through a dropped socket.
    expect(r.churn.connects).toBeGreaterThan(40);
    expect(r.churn.drops).toBeGreaterThan(0);
    expect(r.churn.reconnects).toBeGreaterThan(0);
    expect(r.churn.calls).toBeGreaterThan(0);
    expect(r.churn.deliveries).toBeGreaterThan(0);
    // The canaries worked all along.
    expect(r.canaries.api.sent).toBeGreaterThan(0);
    expect(r.canaries.api.ok + Object.values(r.canaries.api.errors).reduce((a, b) => a + b, 0)).toBe(r.canaries.api.sent);
    expect(r.canaries.channel.sent).toBeGreaterThan(0);
    for (const s of r.canaries.channel.subscribers) expect(s.got).toBeGreaterThan(0);
    // The third subscriber lost its socket every 4 s and resubscribed each time.
    expect(r.canaries.channel.subscribers[2]!.reconnects).toBeGreaterThan(0);
    expect(r.samples.length).toBeGreaterThanOrEqual(14);
  });
});
