import type { StubCache } from "../stubs";
import type { AppBlocks } from "./app-blocks";
import type { AppChannels } from "./app-channels";
import type { BoundApp } from "./bound-app";
import type { CallRouting } from "./call-routing";
import type { FrameGate } from "./frame-gate";
import type { LastWills } from "./last-will";
import type { OutboundCalls } from "./outbound-calls";
import type { RemoteCalls } from "./remote-calls";
import { release } from "./send";
import type { SessionStore } from "./session-store";

/** What removing a block touches. */
export interface TeardownParts {
  app: BoundApp;
  blocks: AppBlocks;
  store: SessionStore;
  wills: LastWills;
  calls: CallRouting;
  outbound: OutboundCalls;
  remote: RemoteCalls;
  channels: AppChannels;
  stubs: StubCache;
  gate: FrameGate;
  /** Work that must finish although no frame waits for it. */
  background(work: Promise<unknown>): void;
}

/**
 * Removes a block, however its connection ends: closes the socket, publishes its last will (if it
 * left one and did not clear it), then takes away its serve and channel state, its calls (as worker
 * and as caller) and, for a uid's last block, its presence.
 *
 * @example
 * ```ts
 * const teardown = new BlockTeardown(parts);
 * teardown.drop(ws, 4001, "token expired");
 * ```
 */
export class BlockTeardown {
  constructor(private readonly parts: TeardownParts) {}

  drop(ws: WebSocket, code: number, reason: string): void {
    const { blocks, store, calls, channels, stubs } = this.parts;
    const session = blocks.sessionOf(ws);
    release(ws);
    try {
      ws.close(code, reason);
    } catch {
      // Already closed by the peer; nothing left to tell it.
    }
    if (!session) return;
    this.parts.wills.connectionEnded(session.conn);
    blocks.index.remove(session);
    store.removeConn(session.conn);
    calls.pending.workerGone(session.conn);
    this.cancelOutbound(session.conn);
    channels.leaveAll(session);
    const uid = session.identity.uid;
    if (session.worker && !blocks.index.workersByUid.has(uid)) calls.rr.forgetUid(uid);
    if (!blocks.index.uids.has(uid)) this.parts.gate.forgetUser(uid);
    if (!blocks.holdsUid(uid)) {
      this.parts.background(
        stubs
          .user(uid)
          .remove(session.identity.app)
          .catch(() => stubs.forget("user", uid)),
      );
    }
  }

  /** Cancels the calls a leaving block still has in flight, here or at other apps' objects. */
  private cancelOutbound(conn: string): void {
    const { app, calls, outbound, remote, stubs } = this.parts;
    for (const [target, keys] of outbound.takeAll(conn)) {
      if (target === app.name) calls.pending.cancel(keys);
      else {
        remote.drop(keys);
        this.parts.background(
          stubs
            .app(target)
            .rpcCancel(target, keys)
            .catch(() => stubs.forget("app", target)),
        );
      }
    }
  }
}
