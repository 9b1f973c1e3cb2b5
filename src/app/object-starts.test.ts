import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ObjectStarts } from "./object-starts";

const LIMITS = {
  newChannelsPerSec: 10,
  newChannelsBurst: 3,
  appNewChannelsPerSec: 100,
  appNewChannelsBurst: 5,
  newChannelMaxWaitMs: 250,
};

describe("ObjectStarts", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("lets a user's burst through at once, paces the next ones, and refuses one that would wait too long", async () => {
    const starts = new ObjectStarts(LIMITS, 0);
    for (let i = 0; i < 3; i++) expect(await starts.admit("u1", 0)).toBeUndefined();
    // At 10/s the next turns are 100, 200 ms away: within the 250 ms bound, they wait.
    const paced = [starts.admit("u1", 0), starts.admit("u1", 0)];
    expect(starts.sizes.waiting).toBe(2);
    // The next would wait 300 ms: refused at once.
    expect(await starts.admit("u1", 0)).toMatchObject({ code: "rate_limited" });
    await vi.advanceTimersByTimeAsync(200);
    expect(await Promise.all(paced)).toEqual([undefined, undefined]);
    expect(starts.sizes.waiting).toBe(0);
  });

  it("bounds the app as a whole: another user is paced by the app's bucket", async () => {
    const starts = new ObjectStarts(LIMITS, 0);
    for (let i = 0; i < 3; i++) await starts.admit("u1", 0);
    await starts.admit("u2", 0);
    await starts.admit("u2", 0);
    // The app's burst of 5 is spent; at 100/s the next is 10 ms away, the 26th would be 260 ms away.
    const r = await Promise.race([starts.admit("u2", 0), Promise.resolve("waiting")]);
    expect(r).toBe("waiting");
    const refusals = [];
    for (let i = 0; i < 30; i++) refusals.push(starts.admit(`v${i}`, 0));
    await vi.advanceTimersByTimeAsync(300);
    const answers = await Promise.all(refusals);
    expect(answers.filter((a) => a === undefined)).toHaveLength(24);
    expect(answers.find((a) => a !== undefined)?.message).toContain("this app's blocks");
  });
});
