import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ChannelObject } from "../../src/channel/channel-object";
import type { Lease } from "../../src/do-contracts";
import { PUBLISHER as FROM } from "./helpers";

// The channel object's side of numbering leases inside real workerd. The holder here is an app
// object that never took the lease (as one that started again since): so taking the lease back
// finds nothing it numbered, and the channel must go on after the lease's end, never reuse a seq
// the holder may have handed out, and still recover every message it was sent.

const data = (frames: string[] | undefined) => frames?.map((f) => (JSON.parse(f) as { data: string }).data);
const pub = (data: string) => ({ fromJson: FROM, data, retain: false });

describe("a channel's numbering lease", () => {
  it("lends its only member's app a range; taken back from a holder that lost it, the channel goes on after its end", async () => {
    const ch = "l-lost";
    const stub = env.CHANNEL.getByName(ch);
    const { epoch } = await stub.join(ch, "lapp1");
    // The first publish waits for a durable ceiling (nothing is lent then); the only member's next one is lent the range after it.
    expect(await stub.publishBatch(ch, [pub("m1")], "lapp1")).toEqual({ seqs: [1], local: [expect.anything()] });
    const first = await stub.publishBatch(ch, [pub("m2")], "lapp1");
    expect(first.seqs).toEqual([2]);
    const lease = first.lease as Lease;
    expect(lease.to).toBeGreaterThan(2);
    // The holder numbered 3 and 4, and 3 reached the channel: 4 was lost with the holder's object.
    // Each append raises the lease's end as far as the durable ceiling allows.
    const to = await stub.appendLeased(ch, "lapp1", lease.id, 3, [pub("m3")]);
    expect(to).toBeGreaterThanOrEqual(lease.to);
    // A join from another app takes the lease back first: the holder answers that it has none.
    const joined = await stub.join(ch, "lapp2", undefined, { since: 2, epoch });
    expect(joined).toMatchObject({ seq: to, epoch, recovered: true });
    expect(data(joined.missed)).toEqual(["m3"]);
    // Nothing more is taken under it, and numbering goes on after its end: no seq it lent is reused.
    const refused = await Promise.resolve(stub.appendLeased(ch, "lapp1", lease.id, 4, [pub("m4")])).then(
      () => "taken",
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/has ended/);
    expect((await stub.publishBatch(ch, [pub("m5")])).seqs).toEqual([to + 1]);
    // A subscriber that had m4 live missed nothing that was kept after it.
    const had4 = await stub.join(ch, "lapp2", undefined, { since: 4, epoch });
    expect(had4).toMatchObject({ recovered: true });
    expect(data(had4.missed)).toEqual(["m5"]);
  });

  it("never lends past the stored ceiling: a channel object started again over the same storage goes on after the lease", async () => {
    const ch = "l-restart";
    const stub = env.CHANNEL.getByName(ch);
    await stub.join(ch, "lapp3");
    const result = await runInDurableObject(stub, async (live: ChannelObject, state) => {
      await live.publishBatch(ch, [pub("m1")], "lapp3");
      const { lease } = await live.publishBatch(ch, [pub("m2")], "lapp3");
      live.appendLeased(ch, "lapp3", lease!.id, 3, [pub("m3")]);
      await live.durable(ch, 3);
      const ceiling = Number(
        state.storage.sql.exec<{ value: string }>("SELECT value FROM channel_meta WHERE key = 'ceiling'").one().value,
      );
      // The holder may still hand out seqs up to the lease's end: a fresh object must not.
      const woken = new ChannelObject(state, env);
      return { to: lease!.to, ceiling, next: (await woken.publishBatch(ch, [pub("m4")])).seqs[0]! };
    });
    expect(result.ceiling).toBeGreaterThanOrEqual(result.to);
    expect(result.next).toBeGreaterThan(result.to);
  });
});
