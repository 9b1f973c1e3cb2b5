import { describe, expect, it } from "vitest";
import { SubscriptionQuota } from "./subscription-quota";

const limits = { maxSubscriptions: 3, maxSubscriptionsPerUser: 5, maxChannelsPerApp: 10 };
const held = (block: number, user = block, appChannels = 0, newChannel = true) => ({ block, user, appChannels, newChannel });

describe("SubscriptionQuota", () => {
  it("counts joins in flight against the block's bound", () => {
    const q = new SubscriptionQuota(limits);
    const a = q.reserve("c1", "u1", held(1));
    const b = q.reserve("c1", "u1", held(1));
    expect(typeof a).toBe("function");
    expect(typeof b).toBe("function");
    expect(q.reserve("c1", "u1", held(1))).toMatchObject({ code: "quota_exceeded", quota: "maxSubscriptions" });
    (a as () => void)();
    expect(typeof q.reserve("c1", "u1", held(1))).toBe("function");
  });

  it("bounds a user's blocks together, then the app's distinct channels", () => {
    const q = new SubscriptionQuota(limits);
    expect(q.reserve("c2", "u1", held(0, 5))).toMatchObject({ quota: "maxSubscriptionsPerUser" });
    expect(q.reserve("c3", "u2", held(0, 0, 10))).toMatchObject({ quota: "maxChannelsPerApp" });
    // A channel the app is already on costs no new channel.
    expect(typeof q.reserve("c3", "u2", held(0, 0, 10, false))).toBe("function");
  });

  it("releases once, however often it is called", () => {
    const q = new SubscriptionQuota(limits);
    const r = q.reserve("c1", "u1", held(0)) as () => void;
    r();
    r();
    expect(q.joining).toBe(0);
  });
});
