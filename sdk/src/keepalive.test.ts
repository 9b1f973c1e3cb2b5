import { afterEach, describe, expect, it, vi } from "vitest";
import { connect, type NexusClient } from "./client";
import { FakeEdge } from "./testing/fake-edge";
import { SDK_TIMERS, waitState } from "./testing/wait";

let edge: FakeEdge;
let nx: NexusClient | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await nx?.close();
  await edge.stop();
});

describe("keepalive", () => {
  it('sends exactly {"t":"ping"} every interval while pongs come back', async () => {
    vi.useFakeTimers(SDK_TIMERS);
    edge = await FakeEdge.start();
    nx = await connect({ url: edge.url, token: "t", kind: "default", keepalive: { intervalMs: 1000, timeoutMs: 500 } });
    const conn = await edge.nextConnection();
    for (let i = 0; i < 3; i++) {
      const ping = conn.nextFrame((f) => f.t === "ping");
      await vi.advanceTimersByTimeAsync(1000);
      expect(await ping).toEqual({ t: "ping" });
    }
    expect(nx.state).toBe("connected");
  });

  it("drops a socket that stops answering and reconnects", async () => {
    vi.useFakeTimers(SDK_TIMERS);
    edge = await FakeEdge.start({ answerPings: false });
    nx = await connect({
      url: edge.url,
      token: "t",
      kind: "default",
      keepalive: { intervalMs: 1000, timeoutMs: 500 },
      reconnect: { initialDelayMs: 100, random: () => 0.5 },
    });
    const dead = await edge.nextConnection();
    const ping = dead.nextFrame((f) => f.t === "ping");
    await vi.advanceTimersByTimeAsync(1000);
    await ping;
    await vi.advanceTimersByTimeAsync(499);
    expect(nx.state).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(nx.state).toBe("disconnected");
    await vi.advanceTimersByTimeAsync(50);
    const next = await edge.nextConnection();
    await waitState(nx, "connected");
    expect(next.query.get("resource")).toBe(dead.identity.resource);
    // The abandoned socket is torn down, not left half-open.
    await dead.closed();
  });

  it("pings at the welcome's pingIntervalMs when it is the shorter, for a worker only", async () => {
    vi.useFakeTimers(SDK_TIMERS);
    edge = await FakeEdge.start({ pingIntervalMs: 1000 });
    nx = await connect({ url: edge.url, token: "t", kind: "default", keepalive: { intervalMs: 60_000 } });
    const worker = await edge.nextConnection();
    const panel = await connect({ url: edge.url, token: "t", kind: "webuo", keepalive: { intervalMs: 60_000 } });
    const frontend = await edge.nextConnection();
    for (let i = 0; i < 3; i++) {
      const ping = worker.nextFrame((f) => f.t === "ping");
      await vi.advanceTimersByTimeAsync(1000);
      await ping;
    }
    // A frontend is not held to the server's cadence: it keeps its own.
    expect(frontend.frames.filter((f) => f.t === "ping")).toHaveLength(0);
    await panel.close();
  });

  it("reconnects to the same resource after a 4002 (missed keepalive) close", async () => {
    vi.useFakeTimers(SDK_TIMERS);
    edge = await FakeEdge.start();
    nx = await connect({ url: edge.url, token: "t", kind: "default", reconnect: { initialDelayMs: 100, random: () => 0.5 } });
    const first = await edge.nextConnection();
    first.socket.close(4002, "missed keepalive");
    await waitState(nx, "disconnected");
    await vi.advanceTimersByTimeAsync(100);
    const again = await edge.nextConnection();
    await waitState(nx, "connected");
    expect(again.query.get("resource")).toBe(first.identity.resource);
  });
});

describe("read acknowledgement", () => {
  it("pings after every MiB it reads, so the edge knows a busy subscriber reads", async () => {
    edge = await FakeEdge.start();
    nx = await connect({ url: edge.url, token: "t", kind: "webuo", keepalive: { intervalMs: 600_000 } });
    const conn = await edge.nextConnection();
    const ping = conn.nextFrame((f) => f.t === "ping");
    const chunk = { t: "msg", channel: "c", data: "x".repeat(256 * 1024), seq: 1 };
    for (let i = 0; i < 4; i++) conn.send(chunk);
    expect(await ping).toEqual({ t: "ping" });
  });
});
