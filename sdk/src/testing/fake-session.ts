import { afterEach, beforeEach, vi } from "vitest";
import type { Identity } from "../../../src/protocol/frames";
import { connect, type NexusClient } from "../client";
import type { ConnectOptions } from "../options";
import { type FakeConnection, FakeEdge, type FakeEdgeOptions } from "./fake-edge";
import { SDK_TIMERS } from "./wait";

/**
 * The sender the tests' scripted edge puts on the channel messages and directs it sends.
 *
 * @example
 * ```ts
 * conn.send({ t: "msg", channel: "prices", from: SENDER, data: "41", seq: 7 });
 * ```
 */
export const SENDER: Identity = {
  jid: "etest-u1-owner@qepal.com/default1",
  app: "etest",
  uid: "u1",
  role: "owner",
  resource: "default1",
  kind: "default",
};

/**
 * How {@link useFakeSession} sets up each test: the fake edge's options, the client's connect
 * options (url and token are filled in; `keepalive` defaults to false) and whether timers are faked.
 *
 * @example
 * ```ts
 * const options: FakeSessionOptions = { edge: { autoAck: false }, kind: "webuo", fakeTimers: true };
 * ```
 */
export interface FakeSessionOptions extends Omit<ConnectOptions, "url" | "token"> {
  /** The fake edge's options. */
  edge?: FakeEdgeOptions;
  /** Install vitest's fake timers (SDK_TIMERS) before connecting, restore real ones after. */
  fakeTimers?: boolean;
  /** Also wait for the edge's first accepted socket and expose it as `conn`. */
  firstConnection?: boolean;
}

/**
 * The live handle of {@link useFakeSession}: read its fields inside a test, never at module level.
 *
 * @example
 * ```ts
 * const session = useFakeSession({ kind: "default" });
 * it("connects", () => expect(session.nx.state).toBe("connected"));
 * ```
 */
export interface FakeSession {
  readonly edge: FakeEdge;
  readonly nx: NexusClient;
  /** The first connection; only with `firstConnection: true`. */
  readonly conn: FakeConnection;
}

/**
 * Registers a beforeEach that starts a {@link FakeEdge} and connects a client to it, and an
 * afterEach that closes both (and restores real timers), so every test starts from a fresh session.
 *
 * @example
 * ```ts
 * const session = useFakeSession({ kind: "device", fakeTimers: true, reconnect: { initialDelayMs: 100, random: () => 0.5 } });
 * it("declares the will", async () => {
 *   const conn = await session.edge.nextConnection();
 *   await session.nx.setWill("status/dev1", "offline");
 * });
 * ```
 */
export function useFakeSession(options: FakeSessionOptions = {}): FakeSession {
  const { edge: edgeOptions, fakeTimers = false, firstConnection = false, ...connectOptions } = options;
  let edge: FakeEdge | undefined;
  let nx: NexusClient | undefined;
  let conn: FakeConnection | undefined;

  beforeEach(async () => {
    if (fakeTimers) vi.useFakeTimers(SDK_TIMERS);
    edge = await FakeEdge.start(edgeOptions);
    nx = await connect({ url: edge.url, token: "t", keepalive: false, ...connectOptions });
    if (firstConnection) conn = await edge.nextConnection();
  });

  afterEach(async () => {
    if (fakeTimers) vi.useRealTimers();
    await nx?.close();
    await edge?.stop();
    edge = nx = conn = undefined;
  });

  const live = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`fake session: no ${name} outside a test`);
    return value;
  };
  return {
    get edge() {
      return live(edge, "edge");
    },
    get nx() {
      return live(nx, "client");
    },
    get conn() {
      return live(conn, "first connection (set firstConnection: true)");
    },
  };
}
