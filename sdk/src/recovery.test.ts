import { describe, expect, it, vi } from "vitest";
import type { GapEvent, ResubscribedEvent } from "./channel-position";
import type { ChannelMessage } from "./options";
import type { Subscription } from "./subscription";
import type { FakeConnection, Frame } from "./testing/fake-edge";
import { SENDER, useFakeSession } from "./testing/fake-session";
import { waitState } from "./testing/wait";

// Channel recovery as the client does it (docs/protocol.md, "History and recovery"): the
// resubscribe after a reconnect carries since/epoch, what was already delivered is not delivered
// again, and the subscription says whether it recovered (`resubscribed`, `gap`, `recovered`).

const session = useFakeSession({
  edge: { autoAck: false },
  fakeTimers: true,
  kind: "webuo",
  reconnect: { initialDelayMs: 100, random: () => 0.5 },
});

const msg = (seq: number, extra: object = {}) => ({ t: "msg", channel: "prices", from: SENDER, data: `m${seq}`, seq, ...extra });

/** Subscribes "prices", answering the sub with `ack`; collects what the subscription reports. */
async function subscribe(conn: FakeConnection, ack: object) {
  const got: ChannelMessage[] = [];
  const subscribing = session.nx.subscribe("prices", (_text, m) => {
    got.push(m);
  });
  const frame = await conn.nextFrame((f) => f.t === "sub");
  conn.send({ t: "ack", id: frame.id, ...ack });
  const sub = await subscribing;
  const subscribed: ResubscribedEvent[] = [];
  const gaps: GapEvent[] = [];
  sub.on("resubscribed", (e) => subscribed.push(e));
  sub.on("gap", (g) => gaps.push(g));
  return { sub, got, subscribed, gaps, frame };
}

/** Drops the socket; answers the resubscribe on the next one with `ack` followed by `then` (in one go); returns its sub frame. */
async function reconnect(conn: FakeConnection, ack: object, then: object[] = []): Promise<{ conn: FakeConnection; sub: Frame }> {
  conn.socket.close(1001);
  await waitState(session.nx, "disconnected");
  await vi.advanceTimersByTimeAsync(50);
  const next = await session.edge.nextConnection();
  const sub = await next.nextFrame((f) => f.t === "sub");
  next.send({ t: "ack", id: sub.id, ...ack });
  for (const f of then) next.send(f);
  await waitState(session.nx, "connected");
  return { conn: next, sub };
}

/** Waits until `sub` has delivered a message with `seq` (a find round trip settles what the socket already holds). */
async function settled(conn: FakeConnection): Promise<void> {
  const found = session.nx.find();
  const f = await conn.nextFrame((x) => x.t === "find");
  conn.send({ t: "find.result", id: f.id, blocks: [] });
  await found;
}

describe("recovery after a reconnect", () => {
  it("resubscribes with since/epoch, drops what it already delivered, and says it recovered", async () => {
    const first = await session.edge.nextConnection();
    const s = await subscribe(first, { seq: 40, epoch: "k3x9" });
    expect(s.frame).toEqual({ t: "sub", id: s.frame.id, channel: "prices" });
    first.send(msg(41));
    await settled(first);
    expect(s.sub.recovered).toBeUndefined();

    // The replay overlaps what was delivered (41): only 42 and 43 are new. Ack and messages come in one go.
    const { sub, conn } = await reconnect(first, { seq: 43, epoch: "k3x9", recovered: true }, [msg(41), msg(42), msg(43)]);
    expect(sub).toEqual({ t: "sub", id: sub.id, channel: "prices", since: 41, epoch: "k3x9" });
    conn.send(msg(44));
    await settled(conn);
    expect(s.got.map((m) => m.seq)).toEqual([41, 42, 43, 44]);
    expect(s.subscribed).toEqual([{ channel: "prices", recovered: true, epoch: "k3x9", seq: 43 }]);
    expect(s.gaps).toEqual([]);
    expect(s.sub.recovered).toBe(true);
  });

  it("resumes from the ack's seq when nothing was delivered yet", async () => {
    const first = await session.edge.nextConnection();
    await subscribe(first, { seq: 7, epoch: "e1" });
    const { sub } = await reconnect(first, { seq: 7, epoch: "e1", recovered: true });
    expect(sub).toMatchObject({ since: 7, epoch: "e1" });
  });

  it("reports a gap when the edge could not recover; an already delivered retained value is not delivered again", async () => {
    const first = await session.edge.nextConnection();
    const s = await subscribe(first, { seq: 5, epoch: "e1" });
    first.send(msg(5, { retained: true }));
    first.send(msg(6));
    await settled(first);

    const { conn } = await reconnect(first, { seq: 900, epoch: "e1", recovered: false }, [msg(5, { retained: true })]);
    conn.send(msg(901));
    await settled(conn);
    expect(s.got.map((m) => m.seq)).toEqual([5, 6, 901]);
    expect(s.subscribed).toEqual([{ channel: "prices", recovered: false, epoch: "e1", seq: 900 }]);
    expect(s.gaps).toEqual([{ channel: "prices", reason: "not_recovered", afterSeq: 6, nextSeq: 901, epochChanged: false }]);
    expect(s.sub.recovered).toBe(false);
  });

  it("starts again with a new epoch: lower seqs are new messages, not duplicates", async () => {
    const first = await session.edge.nextConnection();
    const s = await subscribe(first, { seq: 50, epoch: "old" });
    first.send(msg(51));
    await settled(first);
    const { conn } = await reconnect(first, { seq: 2, epoch: "new", recovered: false }, [msg(2, { retained: true })]);
    conn.send(msg(3));
    await settled(conn);
    expect(s.got.map((m) => m.seq)).toEqual([51, 2, 3]);
    expect(s.gaps).toEqual([{ channel: "prices", reason: "not_recovered", afterSeq: 51, nextSeq: 3, epochChanged: true }]);
    // The next resubscribe resumes in the new epoch.
    const again = await reconnect(conn, { seq: 3, epoch: "new", recovered: true });
    expect(again.sub).toMatchObject({ since: 3, epoch: "new" });
  });

  it("reports a seq that jumps on a live subscription", async () => {
    const first = await session.edge.nextConnection();
    const s = await subscribe(first, { seq: 0, epoch: "e1" });
    first.send(msg(1));
    first.send(msg(4));
    await settled(first);
    expect(s.got.map((m) => m.seq)).toEqual([1, 4]);
    expect(s.gaps).toEqual([{ channel: "prices", reason: "seq_jump", afterSeq: 1, nextSeq: 4, epochChanged: false }]);
  });

  it("against an edge without history (acks without seq or epoch): no since, and every resubscribe is a gap", async () => {
    const first = await session.edge.nextConnection();
    const s = await subscribe(first, {});
    first.send(msg(3));
    await settled(first);
    const { sub } = await reconnect(first, {});
    expect(sub).toEqual({ t: "sub", id: sub.id, channel: "prices" });
    expect(s.subscribed).toEqual([{ channel: "prices", recovered: false, epoch: undefined, seq: undefined }]);
    expect(s.gaps).toMatchObject([{ reason: "not_recovered", afterSeq: 3 }]);
  });

  it("tells every local subscription of the channel", async () => {
    const first = await session.edge.nextConnection();
    const a = await subscribe(first, { seq: 0, epoch: "e1" });
    const b: Subscription = await session.nx.subscribe("prices");
    const seen: ResubscribedEvent[] = [];
    b.on("resubscribed", (e) => seen.push(e));
    await reconnect(first, { seq: 0, epoch: "e1", recovered: true });
    expect(seen).toEqual(a.subscribed);
    expect(b.recovered).toBe(true);
  });
});
