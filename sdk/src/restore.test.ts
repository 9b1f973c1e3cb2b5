import { describe, expect, it, vi } from "vitest";
import type { FakeConnection, Frame } from "./testing/fake-edge";
import { useFakeSession } from "./testing/fake-session";
import { waitState } from "./testing/wait";

const session = useFakeSession({ fakeTimers: true, kind: "default", reconnect: { initialDelayMs: 100, random: () => 0.5 } });

async function reconnect(conn: FakeConnection): Promise<FakeConnection> {
  conn.socket.close(1001);
  await waitState(session.nx, "disconnected");
  await vi.advanceTimersByTimeAsync(50);
  const next = await session.edge.nextConnection();
  await waitState(session.nx, "connected");
  return next;
}

/** The frames a socket received up to a find sent after "connected": exactly what the restore sent. */
async function restoreFrames(conn: FakeConnection): Promise<Frame[]> {
  await session.edge.roundTrip(session.nx, conn);
  const find = conn.frames.findIndex((f) => f.t === "find");
  return conn.frames.slice(0, find).map(({ id: _id, ...f }) => f);
}

describe("restore after reconnect", () => {
  it("declares served methods as one serve frame and each channel once, before calls go out", async () => {
    const first = await session.edge.nextConnection();
    await session.nx.serve("sum", () => 0);
    await session.nx.serve("status", () => "ok");
    await session.nx.subscribe("prices", () => {});
    await session.nx.subscribe("prices", () => {});
    await session.nx.subscribe("news");
    expect(first.frames.map((f) => f.t)).toEqual(["serve", "serve", "sub", "sub"]);

    const second = await reconnect(first);
    const frames = await restoreFrames(second);
    expect(frames).toHaveLength(3);
    expect(frames).toContainEqual({ t: "serve", methods: ["sum", "status"] });
    expect(frames).toContainEqual({ t: "sub", channel: "prices" });
    expect(frames).toContainEqual({ t: "sub", channel: "news" });

    const third = await reconnect(second);
    expect(await restoreFrames(third)).toHaveLength(3);
  });

  it("waits for the restore acks before it reports connected and flushes held calls", async () => {
    const first = await session.edge.nextConnection();
    await session.nx.subscribe("prices");
    session.edge.options.autoAck = false;
    first.socket.close(1001);
    await waitState(session.nx, "disconnected");
    const held = session.nx.publish("prices", "1");
    await vi.advanceTimersByTimeAsync(50);
    const second = await session.edge.nextConnection();
    const sub = await second.nextFrame((f) => f.t === "sub");
    expect(session.nx.state).toBe("connecting");
    second.send({ t: "ack", id: sub.id });
    await waitState(session.nx, "connected");
    await held;
    expect(await second.nextFrame((f) => f.t === "pub")).toEqual({ t: "pub", channel: "prices", data: "1" });
    expect(second.frames.map((f) => f.t)).toEqual(["sub", "pub"]);
  });

  it("no longer restores what was stopped or unsubscribed", async () => {
    const first = await session.edge.nextConnection();
    const stop = await session.nx.serve("sum", () => 0);
    await session.nx.serve("status", () => 0);
    const a = await session.nx.subscribe("prices");
    const b = await session.nx.subscribe("prices");
    await a.unsubscribe();
    expect(first.frames.filter((f) => f.t === "unsub")).toHaveLength(0);
    await b.unsubscribe();
    await first.nextFrame((f) => f.t === "unsub");
    await stop();
    expect(first.frames.at(-1)).toMatchObject({ t: "serve", methods: ["status"] });

    const second = await reconnect(first);
    expect(await restoreFrames(second)).toEqual([{ t: "serve", methods: ["status"] }]);
  });

  it("holds a serve made while disconnected until the reconnect's ack", async () => {
    const first = await session.edge.nextConnection();
    first.socket.close(1001);
    await waitState(session.nx, "disconnected");
    const served = session.nx.serve("sum", () => 0);
    await vi.advanceTimersByTimeAsync(50);
    const second = await session.edge.nextConnection();
    await served;
    expect(second.frames[0]).toMatchObject({ t: "serve", methods: ["sum"] });
    expect(first.frames).toHaveLength(0);
  });
});
