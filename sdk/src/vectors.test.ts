import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { formatJid, parseJid, type Role } from "../../src/identity/jid";
import { parseResource } from "../../src/identity/kinds";
import { decodeClientFrame } from "../../src/protocol/codec";
import { welcomeFrame } from "../../src/protocol/welcome";
import { connect, type NexusClient } from "./client";
import { terminalError } from "./close-codes";
import { ERROR_TABLE, isRetryable, NexusError } from "./errors";
import { PING } from "./keepalive";
import type { ChannelMessage } from "./options";
import { type FakeConnection, FakeEdge, type Frame } from "./testing/fake-edge";
import { nextError, SDK_TIMERS, waitState } from "./testing/wait";
import { refusalError } from "./transport";

// The shared conformance vectors (test/vectors/README.md), checked against the edge's and the SDK's own code.
const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), "utf8")) as T;

interface JidVector {
  jid: string;
  app: string;
  uid: string;
  role: Role;
  domain: string;
  resource: string;
  kind: string;
}
interface ClientVector {
  name: string;
  op: string;
  args: Record<string, any>;
  frame: Frame;
  text?: string;
}
interface ServerVector {
  name: string;
  frame: Frame;
  expect: Record<string, any>;
}
interface ErrorVectors {
  codes: { code: string; retryable: boolean }[];
  unknownCode: { code: string; retryable: boolean };
  closes: { code: number; reconnect: boolean | "with_new_token"; error?: string }[];
  connectRefusals: { status: number; body: string; code: string; retryable: boolean; quota?: string }[];
}

const jids = load<{ valid: JidVector[]; invalid: string[] }>("jids.json");
const resources = load<{ resource: string; kind: string | null; suffix?: string }[]>("resources.json");
const clientFrames = load<ClientVector[]>("client-frames.json");
const serverFrames = load<ServerVector[]>("server-frames.json");
const errors = load<ErrorVectors>("errors.json");

/** A code's retryable flag as this SDK reports it; the table decides only for codes it has. */
const knownCode = (code: string) => Object.hasOwn(ERROR_TABLE, code);
// Codes of the contract that the edge's table does not hold yet: `unavailable` (503 at connect, when the
// token cannot be checked) comes with the token policy. Every other vector code must be in the table.
const COMING = new Set(["unavailable"]);

describe("vectors: identity", () => {
  it.each(jids.valid.map((v) => [v.jid, v]))("parses %s", (jid, v) => {
    const { jid: _jid, ...parts } = v;
    expect(parseJid(jid)).toEqual(parts);
    expect(formatJid(v, v.domain)).toBe(jid);
  });

  it.each(jids.invalid.map((j) => [j]))("refuses %j", (jid) => {
    expect(parseJid(jid)).toBeUndefined();
  });

  it.each(resources.map((r) => [r.resource, r]))("splits resource %j", (resource, r) => {
    expect(parseResource(resource)).toEqual(r.kind === null ? undefined : { kind: r.kind, suffix: r.suffix });
  });
});

describe("vectors: error codes and close codes", () => {
  it("every code of the error table is in the vectors, with the same retryable", () => {
    const byCode = new Map(errors.codes.map((c) => [c.code, c.retryable]));
    for (const [code, entry] of Object.entries(ERROR_TABLE)) expect([code, byCode.get(code)]).toEqual([code, entry.retryable]);
    for (const { code, retryable } of errors.codes) {
      if (COMING.has(code) && !knownCode(code)) continue;
      expect([code, isRetryable(code)]).toEqual([code, retryable]);
    }
    expect(isRetryable(errors.unknownCode.code)).toBe(errors.unknownCode.retryable);
  });

  it.each(errors.closes.map((c) => [c.code, c]))("close %i: the terminal rule", (code, c) => {
    const terminal = terminalError(code, "");
    if (c.reconnect === true) expect(terminal).toBeUndefined();
    else expect(terminal).toMatchObject({ code: c.error, closeCode: code, retryable: false });
  });

  it.each(errors.connectRefusals.map((r) => [r.status, r.body, r]))("refused connect %i %s", (status, body, r) => {
    expect(refusalError(status, body)).toMatchObject({ code: r.code, retryable: r.retryable, status, quota: r.quota });
  });
});

/** A vector frame without `id`, and whether it had one. */
function withoutId(frame: Frame): [Frame, boolean] {
  const { id, ...rest } = frame;
  return [rest as Frame, id !== undefined];
}

describe("vectors: client frames", () => {
  it.each(clientFrames.map((v) => [v.name, v]))("the edge's codec accepts %s", (_name, v) => {
    const decoded = decodeClientFrame(JSON.stringify(v.frame), 262_144);
    // A frame type or field the edge does not know yet (e.g. `will`) must at least not be mistaken for another frame.
    if (decoded.ok) expect(v.frame).toMatchObject(decoded.frame);
    else expect(decoded.message).toMatch(/unknown frame type/);
  });

  it("ping is the exact text the runtime auto-responds to", () => {
    const ping = clientFrames.find((v) => v.op === "ping");
    expect(ping?.text).toBe(PING);
    expect(JSON.parse(PING)).toEqual(ping?.frame);
  });

  describe("the SDK writes them", () => {
    let edge: FakeEdge;
    let nx: NexusClient;
    let conn: FakeConnection;

    beforeEach(async () => {
      edge = await FakeEdge.start();
      nx = await connect({ url: edge.url, token: "t", kind: "default", keepalive: false });
      conn = await edge.nextConnection();
    });
    afterEach(async () => {
      await nx.close();
      await edge.stop();
    });

    const lastOf = async (t: string): Promise<Frame> => {
      await edge.roundTrip(nx, conn);
      return conn.frames.filter((f) => f.t === t).at(-1)!;
    };

    // What each op is in this SDK's public API; `sub` with `since` has none (a resubscribe writes it).
    const drivers: Record<string, (a: Record<string, any>) => Promise<Frame>> = {
      api: async (a) => {
        vi.useFakeTimers(SDK_TIMERS); // Date frozen: the remaining budget is exactly the given one
        const call = nx.api(a.app, a.method, a.data, { resource: a.resource, uid: a.uid, timeoutMs: a.timeoutMs });
        vi.useRealTimers();
        const frame = await conn.nextFrame((f) => f.t === "api");
        conn.send({ t: "api.result", id: frame.id, ok: true, data: null, from: conn.identity });
        await call;
        return frame;
      },
      "api.res": async (a) => {
        await nx.serve("*", () => {
          if (a.ok) return a.data;
          if (a.error.code === "app_error") throw new Error(a.error.message);
          throw new NexusError(a.error.code, a.error.message);
        });
        conn.send({ t: "api.req", rid: a.rid, method: "m", data: null, from: conn.identity });
        return conn.nextFrame((f) => f.t === "api.res");
      },
      serve: async (a) => {
        if (a.methods.length === 0) await (await nx.serve("x", () => 0))();
        for (const m of a.methods) await nx.serve(m, () => 0);
        return lastOf("serve");
      },
      direct: async (a) => {
        const sent = nx.direct(a.app, a.resource, a.data, { uid: a.uid, ack: a.id !== undefined });
        const frame = await conn.nextFrame((f) => f.t === "direct");
        if (a.id !== undefined) conn.send({ t: "ack", id: frame.id });
        await sent;
        return frame;
      },
      sub: async (a) => {
        await nx.subscribe(a.channel);
        return lastOf("sub");
      },
      unsub: async (a) => {
        await (await nx.subscribe(a.channel)).unsubscribe();
        return lastOf("unsub");
      },
      pub: async (a) => {
        const sent = nx.publish(a.channel, a.data, { retain: a.retain, ack: a.id !== undefined });
        const frame = await conn.nextFrame((f) => f.t === "pub");
        if (a.id !== undefined) conn.send({ t: "ack", id: frame.id });
        await sent;
        return frame;
      },
      will: async (a) => {
        const declared = a.clear ? nx.clearWill() : nx.setWill(a.channel, a.data, { retain: a.retain });
        const frame = await conn.nextFrame((f) => f.t === "will");
        conn.send({ t: "ack", id: frame.id });
        await declared;
        return frame;
      },
      find: async (a) => {
        const found = nx.find({ app: a.app, kind: a.kind, scope: a.scope });
        const frame = await conn.nextFrame((f) => f.t === "find");
        conn.send({ t: "find.result", id: frame.id, blocks: [] });
        await found;
        return frame;
      },
    };
    const driven = clientFrames.filter((v) => drivers[v.op] && v.args.since === undefined);

    it.each(driven.map((v) => [v.name, v]))("%s", async (_name, v) => {
      const [written, hasId] = withoutId(await drivers[v.op]!(v.args));
      const [expected, expectsId] = withoutId(v.frame);
      expect(written).toEqual(expected);
      expect(hasId).toBe(expectsId);
    });
  });

  // A sub with since/epoch is what the resubscribe after a reconnect writes: the first sub's ack says
  // where the channel stood (seq = since, nothing delivered after it), then the socket drops.
  describe("the SDK writes them on a resubscribe", () => {
    let edge: FakeEdge;
    let nx: NexusClient | undefined;
    afterEach(async () => {
      await nx?.close();
      await edge.stop();
    });

    it.each(clientFrames.filter((v) => v.op === "sub" && v.args.since !== undefined).map((v) => [v.name, v]))(
      "%s",
      async (_name, v) => {
        edge = await FakeEdge.start({ autoAck: false });
        nx = await connect({
          url: edge.url,
          token: "t",
          kind: "webuo",
          keepalive: false,
          reconnect: { initialDelayMs: 1, random: () => 0 },
        });
        const first = await edge.nextConnection();
        const subscribing = nx.subscribe(v.args.channel);
        const sub = await first.nextFrame((f) => f.t === "sub");
        first.send({ t: "ack", id: sub.id, seq: v.args.since, epoch: v.args.epoch });
        await subscribing;
        first.socket.close(1001);
        const second = await edge.nextConnection();
        const [written, hasId] = withoutId(await second.nextFrame((f) => f.t === "sub"));
        const [expected] = withoutId(v.frame);
        expect(written).toEqual(expected);
        expect(hasId).toBe(true);
      },
    );
  });
});

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
