import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connect, type NexusClient } from "./client";
import { FakeEdge } from "./testing/fake-edge";
import { nextError, SDK_TIMERS, waitState } from "./testing/wait";

let edge: FakeEdge;
let nx: NexusClient | undefined;
let refusing = false;

beforeEach(async () => {
  refusing = false;
  vi.useFakeTimers(SDK_TIMERS);
  edge = await FakeEdge.start({ refuse: () => (refusing ? { status: 503, code: "internal" } : undefined) });
});

afterEach(async () => {
  vi.useRealTimers();
  await nx?.close();
  nx = undefined;
  await edge.stop();
});

// A reconnect would turn the state to "connecting" synchronously when its timer fires; a minute covers every backoff.
async function expectNoReconnect(): Promise<void> {
  await vi.advanceTimersByTimeAsync(60_000);
  expect(nx?.state).toBe("closed");
  expect(edge.connections).toHaveLength(1);
}

const reconnect = { initialDelayMs: 1000, maxDelayMs: 4000, random: () => 0.5 };

describe("reconnect", () => {
  it("waits exactly the jittered backoff, then reconnects to the same resource", async () => {
    nx = await connect({ url: edge.url, token: "t", kind: "default", reconnect, keepalive: false });
    const first = await edge.nextConnection();
    expect(first.query.get("kind")).toBe("default");
    expect(nx.jid).toBe(first.identity.jid);

    first.socket.close(1001);
    await waitState(nx, "disconnected");
    await vi.advanceTimersByTimeAsync(499);
    expect(nx.state).toBe("disconnected");
    await vi.advanceTimersByTimeAsync(1);
    expect(nx.state).toBe("connecting");
    const second = await edge.nextConnection();
    await waitState(nx, "connected");
    expect(second.query.get("resource")).toBe(first.identity.resource);
    expect(second.query.get("kind")).toBeNull();
    expect(nx.jid).toBe(first.identity.jid);
  });

  it("grows the delay while reconnects fail, caps it, and resets it after a success", async () => {
    nx = await connect({ url: edge.url, token: "t", kind: "default", reconnect, keepalive: false });
    const first = await edge.nextConnection();
    refusing = true;
    const states: string[] = [];
    nx.on("state", (s) => states.push(s));
    first.socket.close(1001);
    await waitState(nx, "disconnected");
    // Ceilings 1000, 2000, 4000, 4000 with random 0.5: delays 500, 1000, 2000, 2000.
    for (const delay of [500, 1000, 2000, 2000]) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(nx.state).toBe("disconnected");
      const refused = nextError(nx);
      await vi.advanceTimersByTimeAsync(1);
      expect(nx.state).toBe("connecting");
      expect((await refused).code).toBe("internal");
      expect(nx.state).toBe("disconnected");
    }
    refusing = false;
    await vi.advanceTimersByTimeAsync(2000);
    const back = await edge.nextConnection();
    await waitState(nx, "connected");
    back.socket.close(1001);
    await waitState(nx, "disconnected");
    await vi.advanceTimersByTimeAsync(499);
    expect(nx.state).toBe("disconnected");
    await vi.advanceTimersByTimeAsync(1);
    expect(nx.state).toBe("connecting");
    expect(states.filter((s) => s === "connected")).toHaveLength(1);
  });

  it.each([
    [4008, "forbidden"],
    [4009, "disconnected"],
  ])("does not reconnect after close code %i", async (code, errorCode) => {
    nx = await connect({ url: edge.url, token: "t", kind: "default", reconnect, keepalive: false });
    const conn = await edge.nextConnection();
    const error = nextError(nx);
    conn.socket.close(code, "bye");
    await waitState(nx, "closed");
    expect(await error).toMatchObject({ code: errorCode, closeCode: code, retryable: false });
    await expectNoReconnect();
    await expect(nx.api("etest", "sum", {})).rejects.toMatchObject({ code: errorCode, retryable: false });
  });

  it("goes to closed on 4001 with a string token", async () => {
    nx = await connect({ url: edge.url, token: "t", kind: "default", reconnect, keepalive: false });
    const conn = await edge.nextConnection();
    const error = nextError(nx);
    conn.socket.close(4001, "token expired");
    await waitState(nx, "closed");
    expect(await error).toMatchObject({ code: "unauthorized", closeCode: 4001 });
    await expectNoReconnect();
    expect(edge.connections).toHaveLength(1);
  });

  it("asks a token function again on 4001 and reconnects at once with the new token", async () => {
    const tokens = ["t1", "t2"];
    const token = vi.fn(async () => tokens.shift() ?? "none");
    nx = await connect({ url: edge.url, token, kind: "default", reconnect, keepalive: false });
    const first = await edge.nextConnection();
    expect(first.query.get("token")).toBe("t1");
    first.socket.close(4001, "token expired");
    const second = await edge.nextConnection();
    expect(second.query.get("token")).toBe("t2");
    expect(second.query.get("resource")).toBe(first.identity.resource);
    await waitState(nx, "connected");
    expect(token).toHaveBeenCalledTimes(2);
  });

  it("goes to closed when the new token after 4001 is refused", async () => {
    let calls = 0;
    edge.options.refuse = (q) => (q.get("token") === "expired" ? { status: 401, code: "unauthorized" } : undefined);
    nx = await connect({
      url: edge.url,
      token: () => (++calls === 1 ? "good" : "expired"),
      kind: "default",
      reconnect,
      keepalive: false,
    });
    const conn = await edge.nextConnection();
    const error = nextError(nx);
    conn.socket.close(4001);
    await waitState(nx, "closed");
    expect(await error).toMatchObject({ code: "unauthorized", status: 401 });
    expect(calls).toBe(2);
  });

  it("closes on the first drop when reconnect is off", async () => {
    nx = await connect({ url: edge.url, token: "t", kind: "default", reconnect: false, keepalive: false });
    const conn = await edge.nextConnection();
    conn.socket.close(1001);
    await waitState(nx, "closed");
    await expectNoReconnect();
  });
});
