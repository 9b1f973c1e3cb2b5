import { DurableObject } from "cloudflare:workers";
import { StubCache } from "../stubs";
import { ChannelState } from "./channel-state";

/**
 * One per channel: assigns each message its `seq`, keeps the retained value, and fans a message
 * out once to every app object that has subscribers (which then delivers to its own sockets).
 *
 * Order: a publisher's frames reach this object in order (its app object calls through one stub),
 * this object handles them one at a time, and it calls each member app through one stub, so every
 * member receives them in `seq` order (E-order). See docs/protocol.md.
 */
export class ChannelObject extends DurableObject<Env> {
  private readonly state: ChannelState;
  private readonly stubs: StubCache;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.state = new ChannelState(ctx.storage.sql);
    this.stubs = new StubCache(env);
  }

  /**
   * Adds an app as a member; answers the retained frame for the new subscriber, if any, and the
   * seq so far: the member delivers to the new subscriber only messages after it.
   */
  join(channel: string, app: string): { retained: string | null; seq: number } {
    this.state.bind(channel);
    this.state.join(app);
    return { retained: this.state.retained(), seq: this.state.seq };
  }

  leave(channel: string, app: string): void {
    this.state.bind(channel);
    this.state.leave(app);
  }

  /** Publishes; answers the message's seq. */
  publish(channel: string, fromJson: string, data: string, retain: boolean): number {
    this.state.bind(channel);
    const { seq, text } = this.state.publish(fromJson, data, retain);
    for (const [app, epoch] of this.state.members()) {
      this.stubs
        .app(app)
        .rpcDeliver(app, channel, text, seq)
        .then(
          // A member with no subscribers left heals the stale membership (unless it re-joined meanwhile).
          (delivered) => {
            if (delivered === 0) this.state.leave(app, epoch);
          },
          () => this.stubs.forget("app", app),
        );
    }
    return seq;
  }

  stats(channel: string): { channel: string; seq: number; members: string[]; retained: boolean } {
    this.state.bind(channel);
    return { channel, seq: this.state.seq, members: [...this.state.members().keys()], retained: this.state.retained() !== null };
  }
}
