import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { withCanary } from "./expect-intact";
import { floodConnections, floodPendingCalls, floodServedMethods, floodSubscriptions, floodUnknownApps } from "./floods";

// Hostile clients against the quotas, each with small configured limits so that the floods stay
// short; a canary pair in another app keeps exchanging calls and messages throughout each flood.
const LIMITS = {
  NEXUS_MAX_FRAME_BYTES: "16384",
  NEXUS_MAX_SUBSCRIPTIONS: "20",
  NEXUS_MAX_SUBSCRIPTIONS_PER_USER: "30",
  NEXUS_MAX_PENDING_CALLS: "20",
  NEXUS_MAX_PENDING_CALLS_PER_USER: "30",
  NEXUS_MAX_SERVED_METHODS: "10",
  NEXUS_MAX_BLOCKS_PER_USER: "5",
};

describe("a hostile client meets its quota, and the canary in another app loses nothing", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack({ vars: LIMITS });
  });
  afterAll(() => s?.stop());

  it("welcome states the configured quotas", async () => {
    await s.createApp("quota-welcome", "owner");
    const b = await s.open("owner", "quota-welcome", { kind: "webuo" });
    expect(b.welcome.limits).toMatchObject({
      maxFrameBytes: 16384,
      maxSubscriptions: 20,
      maxPendingCalls: 20,
      maxServedMethods: 10,
      maxBlocksPerUser: 5,
    });
    await b.close();
  });

  it("subscriptions: past maxSubscriptions per block and past the per-user bound, quota_exceeded", async () => {
    const r = await withCanary(s, () => floodSubscriptions(s, { count: 25, secondBlock: 25 }));
    expect(r.details.first).toEqual({ ack: 20, quota_exceeded: 5 });
    // The second block of the same uid has room for 10 more before the user holds 30.
    expect(r.details.second).toEqual({ ack: 10, quota_exceeded: 15 });
    expect(r.details.refusals[0]).toMatchObject({ t: "error", code: "quota_exceeded", quota: "maxSubscriptions" });
    expect(r.details.refusals.map((f) => f.quota)).toContain("maxSubscriptionsPerUser");
  });

  it("pending calls: past maxPendingCalls, api.result quota_exceeded at once", async () => {
    const r = await withCanary(s, () => floodPendingCalls(s, { callers: 1, perCaller: 25, expectRefused: 5 }));
    expect(r.details.inFlight).toBe(20);
    for (const f of r.details.refused) {
      expect(f).toMatchObject({ t: "api.result", ok: false, error: { code: "quota_exceeded", quota: "maxPendingCalls" } });
    }
  });

  it("pending calls through a user's own user-role worker: bounded per user too", async () => {
    const r = await withCanary(s, () => floodPendingCalls(s, { callers: 2, perCaller: 20, expectRefused: 10, userRole: true }));
    expect(r.details.inFlight).toBe(30);
    for (const f of r.details.refused) {
      expect(f).toMatchObject({ ok: false, error: { code: "quota_exceeded", quota: "maxPendingCallsPerUser" } });
    }
  });

  it("served methods: past maxServedMethods, quota_exceeded, and the previous set stays in force", async () => {
    const r = await withCanary(s, () => floodServedMethods(s, { count: 11 }));
    expect(r.details.refusal).toMatchObject({ t: "error", id: "s1", code: "quota_exceeded", quota: "maxServedMethods" });
    expect(r.details.keptServing).toMatchObject({ t: "api.result", ok: true, data: "kept" });
  });

  it("connections per user: past maxBlocksPerUser, 429 quota_exceeded; a freed place can be taken again", async () => {
    const r = await withCanary(s, () => floodConnections(s, { count: 8 }));
    expect(r.details.opened).toBe(5);
    expect(r.details.refusals).toHaveLength(3);
    for (const f of r.details.refusals) expect(f).toMatchObject({ status: 429, body: { error: { code: "quota_exceeded" } } });
    expect(r.details.reopened).toBe(true);
  });

  it("unknown app names: not_found for api and direct, nothing found, and no app comes into being", async () => {
    const r = await withCanary(s, () => floodUnknownApps(s, { count: 100 }));
    expect(r.details.answers).toEqual({ "api.result not_found": 100, "error not_found": 100, "find.result 0 blocks": 100 });
    expect(r.details.listed).toEqual([]);
    // Their objects wrote nothing: no table of their own in their storage.
    expect(r.details.tables).toEqual([[], []]);
  });
});
