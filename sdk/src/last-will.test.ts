import { describe, expect, it, vi } from "vitest";
import { connect } from "./client";
import type { FakeConnection } from "./testing/fake-edge";
import { useFakeSession } from "./testing/fake-session";
import { waitState } from "./testing/wait";

const session = useFakeSession({ fakeTimers: true, kind: "device", reconnect: { initialDelayMs: 100, random: () => 0.5 } });

const wills = (conn: FakeConnection) => conn.frames.filter((f) => f.t === "will").map(({ id: _id, ...f }) => f);

describe("last will", () => {
  it("declares the will with a will frame and resolves on the ack; a new one replaces it", async () => {
    const conn = await session.edge.nextConnection();
    await session.nx.setWill("status/dev1", "offline", { retain: true });
    await session.nx.setWill("status/dev1", "gone");
    expect(wills(conn)).toEqual([
      { t: "will", channel: "status/dev1", data: "offline", retain: true },
      { t: "will", channel: "status/dev1", data: "gone", retain: false },
    ]);
  });

  it("declares it again after a reconnect, before the client is connected", async () => {
    const first = await session.edge.nextConnection();
    await session.nx.setWill("status/dev1", "offline", { retain: true });
    first.socket.close(1001);
    await waitState(session.nx, "disconnected");
    await vi.advanceTimersByTimeAsync(50);
    const second = await session.edge.nextConnection();
    await waitState(session.nx, "connected");
    expect(wills(second)).toEqual([{ t: "will", channel: "status/dev1", data: "offline", retain: true }]);
  });

  it("close() clears the will first; close({ clearWill: false }) leaves it for the edge to publish", async () => {
    const conn = await session.edge.nextConnection();
    await session.nx.setWill("status/dev1", "offline");
    await session.nx.close();
    expect(wills(conn).at(-1)).toEqual({ t: "will", clear: true });

    const other = await connect({ url: session.edge.url, token: "t", kind: "device", keepalive: false });
    const otherConn = await session.edge.nextConnection();
    await other.setWill("status/dev2", "offline");
    await other.close({ clearWill: false });
    expect(wills(otherConn)).toEqual([{ t: "will", channel: "status/dev2", data: "offline", retain: false }]);
  });

  it("clearWill() withdraws it, and a reconnect then declares nothing", async () => {
    const first = await session.edge.nextConnection();
    await session.nx.setWill("status/dev1", "offline");
    await session.nx.clearWill();
    expect(wills(first).at(-1)).toEqual({ t: "will", clear: true });
    first.socket.close(1001);
    await waitState(session.nx, "disconnected");
    await vi.advanceTimersByTimeAsync(50);
    const second = await session.edge.nextConnection();
    await waitState(session.nx, "connected");
    await session.edge.roundTrip(session.nx, second);
    expect(wills(second)).toEqual([]);
  });

  it("refuses a channel name the contract does not allow, before sending anything", async () => {
    const conn = await session.edge.nextConnection();
    await expect(session.nx.setWill("no spaces", "x")).rejects.toMatchObject({ code: "bad_request" });
    expect(wills(conn)).toEqual([]);
  });
});
