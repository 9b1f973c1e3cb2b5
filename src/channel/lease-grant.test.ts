import { describe, expect, it } from "vitest";
import type { ChannelState } from "./channel-state";
import { LEASE_AFTER_MIX_MS, LeaseGrant } from "./lease-grant";

/** A channel at `seq` with a durable ceiling; `revoke` answers what the test says the holder numbered. */
function setUp(seq: number, ceiling: number, holderAnswer: () => number | null = () => null) {
  const skips: number[] = [];
  const state = {
    seq,
    durableCeiling: ceiling,
    skipTo(to: number) {
      skips.push(to);
      this.seq = to;
    },
  };
  const revoked: string[] = [];
  const skippedApps: string[] = [];
  const grant = new LeaseGrant(
    {
      state: () => state as unknown as ChannelState,
      revoke: async (app, id) => {
        revoked.push(`${app}:${id}`);
        return holderAnswer();
      },
      ended: (app, skipped) => {
        if (skipped) skippedApps.push(app);
      },
    },
    1024,
  );
  return { grant, state, skips, revoked, skippedApps };
}

const only = (app: string) => new Map([[app, 1]]);

describe("LeaseGrant", () => {
  it("lends the only member's app the range after the seq, never past the durable ceiling", () => {
    expect(
      setUp(10, 500).grant.offer(
        "a",
        new Map([
          ["a", 1],
          ["b", 2],
        ]),
        true,
        5000,
      ),
    ).toBeUndefined(); // two members
    expect(setUp(10, 500).grant.offer("b", only("a"), true, 5000)).toBeUndefined(); // not a member
    const { grant } = setUp(10, 500);
    const lease = grant.offer("a", only("a"), true, 5000);
    expect(lease?.to).toBe(500);
    expect(grant.offer("a", only("a"), true, 5000)).toBeUndefined(); // one out at a time
    expect(grant.holder).toBe("a");
  });

  it("lends nothing when the ceiling leaves too little room, nor within LEASE_AFTER_MIX_MS of another app's publish", () => {
    expect(setUp(10, 20).grant.offer("a", only("a"), true, 5000)).toBeUndefined();
    expect(setUp(10, 500).grant.offer("a", only("a"), false, 5000)).toBeUndefined(); // a publish queued behind
    const { grant } = setUp(10, 5000);
    const two = new Map([
      ["a", 1],
      ["b", 2],
    ]);
    grant.offer("a", two, true, 1000);
    grant.offer("b", two, true, 2000); // b published after a
    expect(grant.offer("a", only("a"), true, 2000 + LEASE_AFTER_MIX_MS - 1)).toBeUndefined(); // and a after b
    expect(grant.offer("a", only("a"), true, 2000 + 2 * LEASE_AFTER_MIX_MS - 2)).toBeUndefined();
    expect(grant.offer("a", only("a"), true, 2000 + 2 * LEASE_AFTER_MIX_MS - 1)).toBeDefined();
  });

  it("takes appends of the lease out now only, from the next seq on and within its end", () => {
    const { grant } = setUp(10, 100);
    const lease = grant.offer("a", only("a"), true, 5000)!;
    expect(grant.accepts("a", lease.id, 11, 5)).toBe(true);
    expect(grant.accepts("a", lease.id, 12, 1)).toBe(false); // not the next seq
    expect(grant.accepts("a", "other", 11, 1)).toBe(false);
    expect(grant.accepts("b", lease.id, 11, 1)).toBe(false);
    expect(grant.accepts("a", lease.id, 11, 91)).toBe(false); // past its end
  });

  it("runs what needs the seq after taking the lease back; goes on after its end unless the holder accounts for it", async () => {
    const lost = setUp(10, 100);
    const lease = lost.grant.offer("a", only("a"), true, 5000)!;
    const seen = await lost.grant.whenFree(() => lost.state.seq);
    expect(lost.revoked).toEqual([`a:${lease.id}`]);
    expect(seen).toBe(100);
    expect(lost.skips).toEqual([100]);
    expect(lost.skippedApps).toEqual(["a"]);
    expect(lost.grant.holder).toBeUndefined();

    const kept = setUp(10, 100, () => 10);
    kept.grant.offer("a", only("a"), true, 5000);
    expect(await kept.grant.whenFree(() => kept.state.seq)).toBe(10);
    expect(kept.skips).toEqual([]);
    // Given back by the holder: no revoke, and no skip when everything it numbered is here.
    const again = kept.grant.offer("a", only("a"), true, 5000)!;
    kept.grant.release("a", "another-id", 10);
    expect(kept.grant.holder).toBe("a");
    kept.grant.release("a", again.id, 10);
    expect(kept.grant.holder).toBeUndefined();
    expect(kept.revoked).toHaveLength(1);
    expect(kept.skips).toEqual([]);
  });
});
