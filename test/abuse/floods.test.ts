import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { withCanary } from "./expect-intact";
import { type FirstUses, floodFrames, floodNesting, floodNewChannels, floodNewPubChannels, floodSlowConsumer } from "./floods";

/**
 * `count` first uses of fresh channels against a burst of 10 and one a second: the burst is acked, and at
 * most one more for each second the flood took; the rest get rate_limited with `refusal` in the message;
 * using the acked channels again is acked, every one.
 */
function expectPaced(details: FirstUses, count: number, refusal: string): void {
  expect(details.first.ack).toBeGreaterThanOrEqual(10);
  expect(details.first.ack).toBeLessThan(count);
  expect(details.first.rate_limited).toBe(count - details.first.ack!);
  expect(details.refusal).toMatchObject({ t: "error", code: "rate_limited" });
  expect(details.refusal?.message).toContain(refusal);
  expect(details.again).toEqual({ ack: details.first.ack });
}

// Hostile clients against the edge's rate limits, slow-consumer bound and nesting bound, with small
// configured limits; a canary pair in another app keeps exchanging calls and messages throughout.
const LIMITS = {
  NEXUS_MAX_FRAME_BYTES: "65536",
  NEXUS_RATE_PER_SEC: "500",
  NEXUS_RATE_BURST: "1000",
  NEXUS_ABUSE_LIMIT: "200",
  NEXUS_USER_RATE_PER_SEC: "100",
  NEXUS_USER_RATE_BURST: "150",
  NEXUS_MAX_OUTBOUND_BYTES: "262144",
  // 10 channel objects at once, then one a second; a join may not wait for its turn at all.
  NEXUS_NEW_CHANNELS_PER_SEC: "1",
  NEXUS_NEW_CHANNELS_BURST: "10",
  NEXUS_NEW_CHANNEL_MAX_WAIT_MS: "1",
  // The same for first publishes to channels, one user and the app: 10 at once, then one a second.
  NEXUS_NEW_PUB_CHANNELS_PER_SEC: "1",
  NEXUS_NEW_PUB_CHANNELS_BURST: "10",
};

describe("a hostile client is slowed, cut off or refused, and the canary in another app loses nothing", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack({ vars: LIMITS });
  });
  afterAll(() => s?.stop());

  it("frames: one connection past its rate gets rate_limited, then, still sending, close 4008", async () => {
    const r = await withCanary(s, () => floodFrames(s, { frames: 3000, connections: 1 }));
    expect(r.details.answers.rate_limited).toBeGreaterThan(0);
    expect(r.details.answers.offline).toBeGreaterThan(0);
    expect(r.details.closes).toEqual([4008]);
  });

  it("frames: three connections of one user, each within its own rate, share the user's rate", async () => {
    const r = await withCanary(s, () => floodFrames(s, { frames: 300, connections: 3 }));
    // Every frame is answered: admitted ones `offline`, the rest `rate_limited`; nobody is closed.
    expect(r.details.closes).toEqual([undefined, undefined, undefined]);
    expect((r.details.answers.offline ?? 0) + (r.details.answers.rate_limited ?? 0)).toBe(900);
    expect(r.details.answers.rate_limited).toBeGreaterThan(0);
    expect(r.details.answers.offline).toBeGreaterThan(0);
  });

  it("new channels: a user joining channels its app is not on past its burst gets rate_limited; channels the app is on join freely", async () => {
    const r = await withCanary(s, () => floodNewChannels(s, { count: 60 }));
    // Again: the same user's bucket is empty, yet channels its app is already on cost no object start.
    expectPaced(r.details, 60, "new channels");
  });

  it("new channels published to: past the burst a first publish gets rate_limited; channels published to already are not paced", async () => {
    const r = await withCanary(s, () => floodNewPubChannels(s, { count: 60 }));
    // Again: the user's bucket is empty, yet publishing again to the channels it published to costs no object start.
    expectPaced(r.details, 60, "publish to new channels faster than 1/s");
  });

  it("a slow consumer that stops reading is closed with 4013 once the edge holds maxOutboundBytes for it", async () => {
    // 64 messages of 16 KiB: four times the configured bound of 256 KiB.
    const r = await withCanary(s, () => floodSlowConsumer(s, { messages: 64, messageBytes: 16384 }));
    expect(r.details.publisherAcks).toBe(64);
    expect(r.details.closeCode).toBe(4013);
    expect(r.details.received).toBeLessThan(64);
  });

  it("deep nesting: a frame and a worker's api.res nested 10,000 levels are refused with bad_request", async () => {
    const r = await withCanary(s, () => floodNesting(s, { depth: 10_000 }));
    expect(r.details.frameAnswer).toMatchObject({ t: "error", id: "n1", code: "bad_request" });
    expect(r.details.workerAnswer).toMatchObject({ t: "error", code: "bad_request" });
    // The caller hears at once that the answer was unusable, instead of waiting for its timeout.
    expect(r.details.callerResult).toMatchObject({ t: "api.result", id: "n2", ok: false, error: { code: "app_error" } });
    expect(r.details.stillServes).toMatchObject({ t: "api.result", id: "n3", ok: true, data: 2 });
  });
});
