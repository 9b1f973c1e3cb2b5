import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { welcomeFrame } from "../../src/protocol/welcome";
import { connect, type NexusClient } from "./client";
import { NexusError } from "./errors";
import type { ChannelMessage } from "./options";
import { type FakeConnection, FakeEdge, type Frame } from "./testing/fake-edge";
import { errors, knownCode, type ServerVector, serverFrames } from "./testing/vectors";
import { nextError, SDK_TIMERS, waitState } from "./testing/wait";

// The server-frame vectors (test/vectors/README.md): the edge writes them and the SDK surfaces them; the close codes, live.
describe("vectors: server frames", () => {
  it.each(serverFrames.filter((v) => v.frame.t === "welcome").map((v) => [v.name, v]))("%s: the edge writes it", (_n, v) => {
    expect(JSON.parse(welcomeFrame(v.frame.from, v.frame.limits))).toEqual(v.frame);
  });

  it.each(serverFrames.filter((v) => v.frame.t === "welcome").map((v) => [v.name, v]))("%s: the SDK reads it", async (_n, v) => {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    wss.on("connection", (ws) => ws.send(JSON.stringify(v.frame)));
    await new Promise((resolve) => wss.once("listening", resolve));
    const nx = await connect({
      url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
      token: "t",
      kind: "default",
      keepalive: false,
    });
    try {
      const { maxFrameBytes, apiTimeoutMs } = nx.limits;
      expect({ jid: nx.jid, resource: nx.identity?.resource, maxFrameBytes, apiTimeoutMs }).toEqual({
        jid: v.expect.jid,
        resource: v.expect.resource,
        maxFrameBytes: v.expect.maxFrameBytes,
        apiTimeoutMs: v.expect.apiTimeoutMs,
      });
    } finally {
      await nx.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  describe("the SDK surfaces them", () => {
    let edge: FakeEdge;
    let nx: NexusClient;
    let conn: FakeConnection;
    const reported: NexusError[] = [];

    beforeEach(async () => {
      reported.length = 0;
      edge = await FakeEdge.start({ autoAck: false });
      nx = await connect({ url: edge.url, token: "t", kind: "default", keepalive: false });
      nx.on("error", (err) => reported.push(err));
      conn = await edge.nextConnection();
    });
    afterEach(async () => {
      await nx.close();
      await edge.stop();
    });

    /** Answers the request that the client writes next with the vector's frame, under the client's id. */
    const answer = async (t: string, frame: Frame) => {
      const request = await conn.nextFrame((f) => f.t === t);
      conn.send({ ...frame, id: request.id });
    };
    const expectError = (err: unknown, e: Record<string, any>) => {
      expect(err).toBeInstanceOf(NexusError);
      expect((err as NexusError).code).toBe(e.code);
      if (knownCode(e.code) || !errors.codes.some((c) => c.code === e.code))
        expect((err as NexusError).retryable).toBe(e.retryable);
      if (e.message !== undefined) expect((err as NexusError).message).toBe(e.message);
      expect((err as NexusError).quota).toBe(e.quota);
    };

    const checks: Record<string, (v: ServerVector) => Promise<void>> = {
      api_ok: async (v) => {
        const call = nx.api("etest", "sum", null);
        await answer("api", v.frame);
        expect(await call).toEqual(v.expect.data);
      },
      api_error: async (v) => {
        const call = nx.api("etest", "sum", null).catch((e: unknown) => e);
        await answer("api", v.frame);
        expectError(await call, v.expect);
      },
      request_error: async (v) => {
        const call = nx.find().catch((e: unknown) => e);
        await answer("find", v.frame);
        expectError(await call, v.expect);
      },
      api_request: async (v) => {
        const seen: unknown[] = [];
        const serving = nx.serve(v.expect.method, (data, ctx) => {
          seen.push(data, ctx.from.jid, ctx.method);
          return "done";
        });
        await answer("serve", { t: "ack" });
        await serving;
        conn.send(v.frame);
        expect(await conn.nextFrame((f) => f.t === "api.res")).toEqual({
          t: "api.res",
          rid: v.expect.rid,
          ok: true,
          data: "done",
        });
        expect(seen).toEqual([v.expect.data, v.expect.fromJid, v.expect.method]);
      },
      message: async (v) => {
        let got: (m: ChannelMessage) => void = () => {};
        const delivered = new Promise<ChannelMessage>((resolve) => {
          got = resolve;
        });
        const subscribing = nx.subscribe(v.expect.channel, (_text, m) => got(m));
        await answer("sub", { t: "ack" });
        await subscribing;
        conn.send(v.frame);
        const m = await delivered;
        expect({ channel: m.channel, text: m.text, seq: m.seq, retained: m.retained, fromJid: m.from.jid }).toEqual({
          ...v.expect,
          kind: undefined,
        });
      },
      direct: async (v) => {
        const got = new Promise<[string, string]>((resolve) => nx.onDirect((text, ctx) => resolve([text, ctx.from.jid])));
        conn.send(v.frame);
        expect(await got).toEqual([v.expect.text, v.expect.fromJid]);
      },
      blocks: async (v) => {
        const found = nx.find();
        await answer("find", v.frame);
        const blocks = (await found).map((b) => ({
          jid: b.jid,
          kind: b.kind,
          since: b.since,
          methods: (b as { methods?: string[] }).methods ?? [],
        }));
        expect(blocks).toEqual(v.expect.blocks);
      },
      ack: async (v) => {
        if (v.frame.epoch === undefined) {
          const sent = nx.publish("prices", "1", { ack: true });
          await answer("pub", v.frame);
          await expect(sent).resolves.toBeUndefined();
          return;
        }
        // A sub's ack: the subscription is made, and a later resubscribe resumes from the ack's seq and epoch.
        const subscribing = nx.subscribe("prices");
        await answer("sub", v.frame);
        const sub = await subscribing;
        expect(sub.closed).toBe(false);
        expect(sub.recovered).toBeUndefined(); // a first subscribe recovers nothing
      },
      client_error: async (v) => {
        const next = nextError(nx);
        conn.send(v.frame);
        expectError(await next, v.expect);
      },
      ignored: async (v) => {
        conn.send(v.frame);
        const found = nx.find();
        await answer("find", { t: "find.result", blocks: [] });
        await found;
        expect(reported).toEqual([]);
        expect(nx.state).toBe("connected");
      },
    };

    it.each(serverFrames.filter((v) => v.expect.kind !== "welcome").map((v) => [v.name, v]))("%s", async (_n, v) => {
      const check = checks[v.expect.kind];
      expect(check, `no check for expect.kind ${v.expect.kind}`).toBeDefined();
      await check!(v);
    });
  });

  describe("close codes, live", () => {
    let edge: FakeEdge;
    let nx: NexusClient | undefined;

    beforeEach(async () => {
      vi.useFakeTimers(SDK_TIMERS);
      edge = await FakeEdge.start();
    });
    afterEach(async () => {
      vi.useRealTimers();
      await nx?.close();
      nx = undefined;
      await edge.stop();
    });

    const reconnect = { initialDelayMs: 100, maxDelayMs: 100 };

    it.each(errors.closes.map((c) => [c.code, c]))("close %i", async (code, c) => {
      let asked = 0;
      const token = () => `t${++asked}`;
      nx = await connect({ url: edge.url, token, kind: "default", reconnect, keepalive: false });
      const first = await edge.nextConnection();
      const closed = c.reconnect === false ? nextError(nx) : undefined;
      if (code === 1006) first.socket.terminate();
      else first.socket.close(code);
      if (c.reconnect === false) {
        expect(await closed).toMatchObject({ code: c.error, closeCode: code });
        await waitState(nx, "closed");
        await vi.advanceTimersByTimeAsync(10_000);
        expect(edge.connections).toHaveLength(1);
        return;
      }
      if (c.reconnect === true) await waitState(nx, "disconnected");
      await vi.advanceTimersByTimeAsync(100);
      const second = await edge.nextConnection();
      await waitState(nx, "connected");
      expect(second.query.get("token")).toBe("t2");
      expect(asked).toBe(2);
    });

    it("close 4001 with a fixed token is final", async () => {
      nx = await connect({ url: edge.url, token: "fixed", kind: "default", reconnect, keepalive: false });
      const first = await edge.nextConnection();
      const closed = nextError(nx);
      first.socket.close(4001);
      expect(await closed).toMatchObject({ code: "unauthorized", closeCode: 4001 });
      await waitState(nx, "closed");
      await vi.advanceTimersByTimeAsync(10_000);
      expect(edge.connections).toHaveLength(1);
    });
  });
});
