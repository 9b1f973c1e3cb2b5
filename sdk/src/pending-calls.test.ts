import { describe, expect, it, vi } from "vitest";
import { useFakeSession } from "./testing/fake-session";
import { waitState } from "./testing/wait";

const session = useFakeSession({ fakeTimers: true, kind: "default", reconnect: { initialDelayMs: 1000, random: () => 0.5 } });

describe("calls across drops", () => {
  it("answers a call with the worker's data", async () => {
    const conn = await session.edge.nextConnection();
    const result = session.nx.api("etest", "sum", { a: 1, b: 2 }, { timeoutMs: 5000 });
    const frame = await conn.nextFrame((f) => f.t === "api");
    expect(frame).toEqual({ t: "api", id: frame.id, app: "etest", method: "sum", data: { a: 1, b: 2 }, timeoutMs: 5000 });
    conn.send({ t: "api.result", id: frame.id, ok: true, data: { sum: 3 }, from: conn.identity });
    expect(await result).toEqual({ sum: 3 });
  });

  it("rejects calls in flight at once with a retryable disconnected when the socket drops", async () => {
    const conn = await session.edge.nextConnection();
    const a = session.nx.api("etest", "slow", null).catch((e: unknown) => e);
    const b = session.nx.find().catch((e: unknown) => e);
    await conn.nextFrame((f) => f.t === "find");
    conn.socket.close(1001);
    expect(await a).toMatchObject({ name: "NexusError", code: "disconnected", retryable: true });
    expect(await b).toMatchObject({ code: "disconnected", retryable: true });
    expect(session.nx.state).toBe("disconnected");
  });

  it("holds calls made while disconnected and sends them after the reconnect", async () => {
    const first = await session.edge.nextConnection();
    first.socket.close(1001);
    await waitState(session.nx, "disconnected");
    const result = session.nx.api("etest", "sum", { a: 2, b: 2 }, { timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(2000);
    await waitState(session.nx, "connected");
    const second = await session.edge.nextConnection();
    const frame = await second.nextFrame((f) => f.t === "api");
    // The wait counts against the call's timeout: the server gets what is left of it.
    expect(frame.timeoutMs).toBe(8000);
    second.send({ t: "api.result", id: frame.id, ok: true, data: 4, from: second.identity });
    expect(await result).toBe(4);
    expect(first.frames.filter((f) => f.t === "api")).toHaveLength(0);
  });

  it("rejects a waiting call with timeout when no reconnect comes within its timeout", async () => {
    session.edge.options.refuse = () => ({ status: 503, code: "internal" });
    const conn = await session.edge.nextConnection();
    conn.socket.close(1001);
    await waitState(session.nx, "disconnected");
    session.nx.on("error", () => {});
    const result = session.nx.api("etest", "sum", null, { timeoutMs: 300 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(299);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toMatchObject({ code: "timeout", retryable: true });
  });

  it("passes the worker's error code through", async () => {
    const conn = await session.edge.nextConnection();
    const result = session.nx.api("etest", "sum", null).catch((e: unknown) => e);
    const frame = await conn.nextFrame((f) => f.t === "api");
    conn.send({ t: "api.result", id: frame.id, ok: false, error: { code: "no_responders", message: "nobody" } });
    expect(await result).toMatchObject({ code: "no_responders", message: "nobody", retryable: true });
  });

  it("rejects with the abort reason when the signal aborts", async () => {
    const controller = new AbortController();
    const result = session.nx.api("etest", "sum", null, { signal: controller.signal }).catch((e: unknown) => e);
    const reason = new Error("user left");
    controller.abort(reason);
    expect(await result).toBe(reason);
  });

  it("rejects everything with a final disconnected on close()", async () => {
    const result = session.nx.api("etest", "sum", null).catch((e: unknown) => e);
    await session.nx.close();
    expect(await result).toMatchObject({ code: "disconnected", retryable: false });
    await expect(session.nx.publish("c", "x")).rejects.toMatchObject({ code: "disconnected", retryable: false });
  });
});
