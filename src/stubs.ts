import type { AppRpc, ChannelRpc, DirectoryRpc, UserPresenceRpc } from "./do-contracts";

/**
 * Cached Durable Object stubs, typed by the objects' contracts (src/do-contracts.ts), not their classes. Calls made through one stub arrive in the order they were made
 * (E-order), which is what keeps a sender's Directs and a publisher's messages in order; so each
 * target keeps one stub. A stub that has thrown is broken for good and must be replaced: callers
 * `forget` it on failure.
 *
 * @example
 * ```ts
 * const stubs = new StubCache(env);
 * await stubs.channel("prices").publish(...);
 * ```
 */
export class StubCache {
  private readonly cache = new Map<string, unknown>();

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

  private get<T>(kind: string, name: string, make: () => T): T {
    const key = `${kind}:${name}`;
    let stub = this.cache.get(key) as T | undefined;
    if (stub === undefined) {
      stub = make();
      this.cache.set(key, stub);
    }
    return stub;
  }
}
