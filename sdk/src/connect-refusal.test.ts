import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connect } from "./client";
import { NexusError } from "./errors";
import { FakeEdge } from "./testing/fake-edge";
import type { WebSocketLike } from "./transport";

let edge: FakeEdge | undefined;

afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});

describe("connect refusals (Node with ws reads the HTTP status of a refused upgrade)", () => {
  it.each([
    [401, "unauthorized"],
    [403, "forbidden"],
    [400, "bad_request"],
  ])("rejects connect() on HTTP %i with code %s", async (status, code) => {
    edge = await FakeEdge.start({ refuse: () => ({ status, code }) });
    const err = await connect({ url: edge.url, token: "t", kind: "default" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NexusError);
    expect(err).toMatchObject({ name: "NexusError", code, status, retryable: false });
    expect(edge.connections).toHaveLength(0);
  });

  it("retries a first connect refused with 503 unavailable (the edge cannot check tokens now)", async () => {
    let refusals = 0;
    edge = await FakeEdge.start({ refuse: () => (refusals++ < 2 ? { status: 503, code: "unavailable" } : undefined) });
    const nx = await connect({ url: edge.url, token: "t", kind: "default", reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    expect(nx.state).toBe("connected");
    expect(refusals).toBe(3);
    await nx.close();
  });

  it("rejects with a retryable disconnected when nothing listens", async () => {
    edge = await FakeEdge.start();
    const url = edge.url;
    await edge.stop();
    edge = undefined;
    await expect(connect({ url, token: "t", kind: "default" })).rejects.toMatchObject({ code: "disconnected", retryable: true });
  });

  it("needs a kind or a resource", async () => {
    await expect(connect({ url: "http://127.0.0.1:1", token: "t" })).rejects.toMatchObject({ code: "bad_request" });
  });

  it("sends the token and the kind in the query of /v1/connect", async () => {
    edge = await FakeEdge.start();
    const nx = await connect({ url: edge.url, token: async () => "tok", kind: "webuo" });
    const conn = await edge.nextConnection();
    expect(Object.fromEntries(conn.query)).toEqual({ token: "tok", kind: "webuo" });
    expect(nx.identity).toEqual(conn.identity);
    expect(nx.state).toBe("connected");
    await nx.close();
    expect(nx.state).toBe("closed");
    expect(await conn.closed()).toBe(1000);
  });
});

/** A WebSocket with only the browser's surface: a failed upgrade is a bare close 1006, its status unreadable. */
class BrowserLikeWebSocket implements WebSocketLike {
  private readonly ws: WebSocket;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("error", () => {});
  }
  get readyState() {
    return this.ws.readyState;
  }
  send(data: string) {
    this.ws.send(data);
  }
  close(code?: number, reason?: string) {
    this.ws.close(code, reason);
  }
  addEventListener(type: string, listener: (event: any) => void) {
    this.ws.addEventListener(type as "close", listener);
  }
}

describe("connect refusals where the upgrade's status is hidden (browsers, Deno, Workers)", () => {
  it("learns the code by asking the same URL over plain HTTP", async () => {
    edge = await FakeEdge.start({
      refuse: (q) => (q.get("token") === "bad" ? { status: 401, code: "unauthorized" } : undefined),
    });
    const err = await connect({ url: edge.url, token: "bad", kind: "default", WebSocket: BrowserLikeWebSocket }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "unauthorized", status: 401, retryable: false });
    const nx = await connect({ url: edge.url, token: "good", kind: "default", WebSocket: BrowserLikeWebSocket });
    expect(nx.state).toBe("connected");
    await nx.close();
  });

  it("falls back to a retryable disconnected when the probe learns nothing", async () => {
    edge = await FakeEdge.start();
    const url = edge.url;
    await edge.stop();
    edge = undefined;
    await expect(connect({ url, token: "t", kind: "default", WebSocket: BrowserLikeWebSocket })).rejects.toMatchObject({
      code: "disconnected",
      retryable: true,
    });
  });
});

describe("token functions", () => {
  it("rejects connect() with the token function's failure as its cause", async () => {
    edge = await FakeEdge.start();
    const failure = new Error("issuer down");
    const err = await connect({
      url: edge.url,
      token: async () => {
        throw failure;
      },
      kind: "default",
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unauthorized", retryable: true, cause: failure });
    expect(edge.connections).toHaveLength(0);
  });
});
