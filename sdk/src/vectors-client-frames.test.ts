import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeClientFrame } from "../../src/protocol/codec";
import { connect, type NexusClient } from "./client";
import { NexusError } from "./errors";
import { PING } from "./keepalive";
import { type FakeConnection, FakeEdge, type Frame } from "./testing/fake-edge";
import { clientFrames } from "./testing/vectors";
import { SDK_TIMERS } from "./testing/wait";

// The client-frame vectors (test/vectors/README.md): the edge's codec reads them and the SDK writes them.
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
