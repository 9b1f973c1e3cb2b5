import type { AppRpc, ChannelRpc, DirectoryRpc, UserPresenceRpc } from "./do-contracts";

interface Entry {
  /** The stub, wrapped so that the cache sees each call made through it settle. */
  tracked: object;
  inFlight: number;
}

/**
 * Durable Object stubs, typed by the objects' contracts (src/do-contracts.ts), not their classes.
 * Calls made through one stub arrive in the order they were made (E-order), which is what keeps a
 * block's presence updates and an app's channel joins and leaves in order; so while any call to a
 * target is in flight, every new call to it goes through the same stub. Once none is, the stub is
 * dropped: everything sent through it has been answered, so a new stub cannot overtake it, and the
 * cache holds only the targets with calls in flight (it does not grow with every uid, channel or
 * app ever named). A stub that has thrown is broken for good: callers `forget` it on failure.
 *
 * @example
 * ```ts
 * const stubs = new StubCache(env);
 * await stubs.channel("prices").publishBatch("prices", items);
 * stubs.size; // 0 again once the call has settled
 * ```
 */
export class StubCache {
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly env: Env) {}

  app(name: string): DurableObjectStub<AppRpc> {
    return this.get("app", name, () => this.env.APP.getByName(name));
  }

  channel(name: string): DurableObjectStub<ChannelRpc> {
    return this.get("channel", name, () => this.env.CHANNEL.getByName(name));
  }

  user(uid: string): DurableObjectStub<UserPresenceRpc> {
    return this.get("user", uid, () => this.env.USER.getByName(uid));
  }

  directory(): DurableObjectStub<DirectoryRpc> {
    return this.get("directory", "", () => this.env.DIRECTORY.getByName("directory"));
  }

  forget(kind: "app" | "channel" | "user" | "directory", name: string): void {
    this.cache.delete(`${kind}:${name}`);
  }

  /** Targets with calls in flight (for the stats route). */
  get size(): number {
    return this.cache.size;
  }

  private get<T extends object>(kind: string, name: string, make: () => T): T {
    const key = `${kind}:${name}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const stub = make();
      const created: Entry = { tracked: stub, inFlight: 0 };
      created.tracked = new Proxy(stub, {
        get: (target, prop) => {
          const member: unknown = Reflect.get(target, prop);
          if (typeof member !== "function") return member;
          // Reflect.apply: an RPC method's own properties (even `apply`) would name remote members.
          return (...args: unknown[]) => this.track(key, created, () => Reflect.apply(member, target, args));
        },
      });
      entry = created;
      this.cache.set(key, entry);
    }
    return entry.tracked as T;
  }

  private track(key: string, entry: Entry, call: () => unknown): unknown {
    entry.inFlight++;
    const done = () => {
      if (--entry.inFlight === 0 && this.cache.get(key) === entry) this.cache.delete(key);
    };
    let result: unknown;
    try {
      result = call();
    } catch (err) {
      done();
      throw err;
    }
    Promise.resolve(result).then(done, done);
    return result;
  }
}
