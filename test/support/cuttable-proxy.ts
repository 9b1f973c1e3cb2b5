import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP proxy on a free loopback port in front of the edge, whose connections a test can cut (as a
 * network that goes away: no close frame) and whose new connections it can hold until released
 * (the client keeps trying meanwhile), so that what happens while a client is away is up to the test.
 *
 * @example
 * ```ts
 * const proxy = await CuttableProxy.start(new URL(stack.httpUrl));
 * const nx = await connect({ url: proxy.url, token, kind: "webuo" });
 * proxy.hold(); proxy.cut(); // ...publish while it is away...
 * proxy.release();
 * ```
 */
export class CuttableProxy {
  private readonly open = new Set<Socket>();
  private held: (() => void)[] | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: URL): Promise<CuttableProxy> {
    let proxy: CuttableProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    proxy = new CuttableProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** Connections accepted from now on wait (unforwarded) until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  /** Forwards the connections that waited, and every new one. */
  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const forward of waiting) forward();
  }

  /** Destroys every open connection at once, on both sides. */
  cut(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: URL): void {
    this.open.add(client);
    client.on("close", () => this.open.delete(client));
    client.on("error", () => client.destroy());
    const forward = (): void => {
      if (client.destroyed) return;
      const upstream = tcpConnect(Number(target.port), target.hostname);
      this.open.add(upstream);
      upstream.on("close", () => {
        this.open.delete(upstream);
        client.destroy();
      });
      upstream.on("error", () => upstream.destroy());
      client.on("close", () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    };
    if (this.held) {
      client.pause();
      this.held.push(forward);
    } else forward();
  }
}
