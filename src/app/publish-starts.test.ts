import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PublishStarts } from "./publish-starts";

const LIMITS = {
  newPubChannelsPerSec: 10,
  newPubChannelsBurst: 3,
  appNewPubChannelsPerSec: 100,
  appNewPubChannelsBurst: 5,
  newChannelMaxWaitMs: 250,
  pubRecentChannels: 4,
};
const clock = (): number => Date.now();

describe("PublishStarts", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("paces first publishes past the burst, refuses one whose turn is too far, and never paces a channel touched recently", async () => {
    const starts = new PublishStarts({ ...LIMITS, pubRecentChannels: 100 }, () => false, 0);
    for (const c of ["a", "b", "c"]) expect(await starts.admit("u1", c, clock)).toBeUndefined();
    // At 10/s the next turns are 100 and 200 ms away: they wait; the next would wait 300 ms.
    const paced = [starts.admit("u1", "d", clock), starts.admit("u1", "e", clock)];
    expect(paced.every((p) => p instanceof Promise)).toBe(true);
    const refused = await starts.admit("u1", "f", clock);
    expect(refused).toMatchObject({ code: "rate_limited" });
    expect(refused?.message).toContain("publish to new channels faster than 10/s");
    // The bucket is empty, yet the channels published to already go at once, synchronously.
    for (const c of ["a", "b", "c"]) expect(starts.admit("u1", c, clock)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(await Promise.all(paced)).toEqual([undefined, undefined]);
    expect(starts.admit("u1", "d", clock)).toBeUndefined();
    // A refused channel is not remembered: its next publish is paced again.
    expect(starts.admit("u1", "f", clock)).toBeInstanceOf(Promise);
  });

  it("lets later publishes to a channel whose first publish waits its turn wait behind it, in order", async () => {
    const starts = new PublishStarts(LIMITS, () => false, 0);
    for (const c of ["a", "b", "c"]) await starts.admit("u1", c, clock);
    const order: number[] = [];
    const first = starts.admit("u1", "d", clock);
    const second = starts.admit("u1", "d", clock);
    expect(second).toBe(first);
    const done = [first?.then(() => order.push(1)), second?.then(() => order.push(2))];
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(done);
    expect(order).toEqual([1, 2]);
  });

  it("does not pace channels the app is joined to", () => {
    const starts = new PublishStarts({ ...LIMITS, newPubChannelsBurst: 0 }, (c) => c.startsWith("joined/"), 0);
    for (let i = 0; i < 20; i++) expect(starts.admit("u1", `joined/${i}`, clock)).toBeUndefined();
  });

  it("remembers a bounded number of channel names, the most recently published first", async () => {
    const starts = new PublishStarts({ ...LIMITS, newPubChannelsBurst: 100, appNewPubChannelsBurst: 100 }, () => false, 0);
    for (let i = 0; i < 50; i++) await starts.admit("u1", `c${i}`, clock);
    // Two generations of pubRecentChannels / 2 names: never more than pubRecentChannels.
    expect(starts.sizes.recent).toBeLessThanOrEqual(4);
    expect(starts.admit("u1", "c49", clock)).toBeUndefined();
    expect(starts.admit("u1", "c0", clock)).toBeInstanceOf(Promise);
    // A channel published to steadily stays remembered however many others pass by.
    const steady = new PublishStarts({ ...LIMITS, newPubChannelsBurst: 100, appNewPubChannelsBurst: 100 }, () => false, 0);
    for (let i = 0; i < 50; i++) {
      await steady.admit("u1", `x${i}`, clock);
      if (i > 0) expect(steady.admit("u1", "steady", clock)).toBeUndefined();
      else await steady.admit("u1", "steady", clock);
    }
  });
});
