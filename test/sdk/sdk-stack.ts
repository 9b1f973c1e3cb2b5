import { type ConnectOptions, connect, type NexusClient } from "@qe/nexus-sdk";
import type { TestStack } from "../support/stack";

/**
 * Opens SDK clients against a test stack and closes them all at the end, even when a test fails.
 *
 * @example
 * ```ts
 * const clients = new SdkClients(stack);
 * const worker = await clients.open({ uid: "owner1", app: "etest" }, { kind: "default" });
 * afterAll(() => clients.closeAll());
 * ```
 */
export class SdkClients {
  private readonly open_: NexusClient[] = [];

  constructor(private readonly stack: TestStack) {}

  /** Mints a token for `claims` and connects with it; fast reconnects so an edge restart is over quickly. */
  async open(
    claims: { uid: string; app: string; kinds?: string[] },
    options: Omit<ConnectOptions, "url" | "token"> & { token?: ConnectOptions["token"] },
  ): Promise<NexusClient> {
    const token = options.token ?? (await this.stack.token(claims));
    const nx = await connect({
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      ...options,
      url: this.stack.httpUrl,
      token,
    });
    this.open_.push(nx);
    return nx;
  }

  /** Closes every client opened here. */
  async closeAll(): Promise<void> {
    await Promise.all(this.open_.map((nx) => nx.close()));
  }
}
