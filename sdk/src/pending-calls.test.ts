import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connect, type NexusClient } from "./client";
import { FakeEdge } from "./testing/fake-edge";
import { SDK_TIMERS, waitState } from "./testing/wait";

let edge: FakeEdge;
let nx: NexusClient;

beforeEach(async () => {
  vi.useFakeTimers(SDK_TIMERS);
  edge = await FakeEdge.start();
  nx = await connect({
    url: edge.url,
    token: "t",
    kind: "default",
    reconnect: { initialDelayMs: 1000, random: () => 0.5 },
    keepalive: false,
  });
});

afterEach(async () => {
  vi.useRealTimers();
  await nx.close();
  await edge.stop();
});

describe("calls across drops", () => {
  it("answers a call with the worker's data", async () => {
    const conn = await edge.nextConnection();
    const result = nx.api("etest", "sum", { a: 1, b: 2 }, { timeoutMs: 5000 });
    const frame = await conn.nextFrame((f) => f.t === "api");
    expect(frame).toEqual({ t: "api", id: frame.id, app: "etest", method: "sum", data: { a: 1, b: 2 }, timeoutMs: 5000 });
    conn.send({ t: "api.result", id: frame.id, ok: true, data: { sum: 3 }, from: conn.identity });
    expect(await result).toEqual({ sum: 3 });
  });

  it("rejects calls in flight at once with a retryable disconnected when the socket drops", async () => {
    const conn = await edge.nextConnection();
    const a = nx.api("etest", "slow", null).catch((e: unknown) => e);
    const b = nx.find().catch((e: unknown) => e);
    await conn.nextFrame((f) => f.t === "find");
    conn.socket.close(1001);
    expect(await a).toMatchObject({ name: "NexusError", code: "disconnected", retryable: true });
    expect(await b).toMatchObject({ code: "disconnected", retryable: true });
    expect(nx.state).toBe("disconnected");
  });

  it("holds calls made while disconnected and sends them after the reconnect", async () => {
    const first = await edge.nextConnection();
    first.socket.close(1001);
    await waitState(nx, "disconnected");
    const result = nx.api("etest", "sum", { a: 2, b: 2 }, { timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(2000);
    await waitState(nx, "connected");
    const second = await edge.nextConnection();
    const frame = await second.nextFrame((f) => f.t === "api");
    // The wait counts against the call's timeout: the server gets what is left of it.
    expect(frame.timeoutMs).toBe(8000);
    second.send({ t: "api.result", id: frame.id, ok: true, data: 4, from: second.identity });
    expect(await result).toBe(4);
    expect(first.frames.filter((f) => f.t === "api")).toHaveLength(0);
  });

  it("rejects a waiting call with timeout when no reconnect comes within its timeout", async () => {
    edge.options.refuse = () => ({ status: 503, code: "internal" });
    const conn = await edge.nextConnection();
    conn.socket.close(1001);
    await waitState(nx, "disconnected");
    nx.on("error", () => {});
    const result = nx.api("etest", "sum", null, { timeoutMs: 300 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(299);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toMatchObject({ code: "timeout", retryable: true });
  });

  it("passes the worker's error code through", async () => {
    const conn = await edge.nextConnection();
    const result = nx.api("etest", "sum", null).catch((e: unknown) => e);
    const frame = await conn.nextFrame((f) => f.t === "api");
    conn.send({ t: "api.result", id: frame.id, ok: false, error: { code: "no_responders", message: "nobody" } });
    expect(await result).toMatchObject({ code: "no_responders", message: "nobody", retryable: true });
  });

  it("rejects with the abort reason when the signal aborts", async () => {
    const controller = new AbortController();
    const result = nx.api("etest", "sum", null, { signal: controller.signal }).catch((e: unknown) => e);
    const reason = new Error("user left");
    controller.abort(reason);
    expect(await result).toBe(reason);
  });

  it("rejects everything with a final disconnected on close()", async () => {
    const result = nx.api("etest", "sum", null).catch((e: unknown) => e);
    await nx.close();
    expect(await result).toMatchObject({ code: "disconnected", retryable: false });
    await expect(nx.publish("c", "x")).rejects.toMatchObject({ code: "disconnected", retryable: false });
  });
});
