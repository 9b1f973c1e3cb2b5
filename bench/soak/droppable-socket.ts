import type { WebSocketConstructor } from "@qe/nexus-sdk";
import WebSocket from "ws";

/** A WebSocket class for one SDK client, and a way to cut that client's current socket. */
export interface DroppableSocket {
  WebSocket: WebSocketConstructor;
  /** Destroys the current socket's TCP connection at once, as a lost network would; false when there is none. */
  drop(): boolean;
}

/**
 * Gives one SDK client (through `connect({ WebSocket })`) sockets of the `ws` package, the SDK's own
 * choice on Node, and keeps the latest, so the soak can drop it as a train entering a tunnel does:
 * no close frame, the SDK sees 1006 and reconnects by itself.
 *
 * @example
 * ```ts
 * const sock = droppableSocket();
 * const nx = await connect({ url, token, kind: "webuo", WebSocket: sock.WebSocket });
 * sock.drop(); // nx goes "disconnected", then "connected" again
 * ```
 */
export function droppableSocket(): DroppableSocket {
  let current: WebSocket | undefined;
  class Tracked extends WebSocket {
    constructor(url: string) {
      // As the SDK builds its own: no compression, and a close is not held up waiting for TCP.
      // (`closeTimeout` is an option of ws that its type definitions leave out.)
      super(url, { closeTimeout: 1000, perMessageDeflate: false } as WebSocket.ClientOptions);
      current = this;
    }
  }
  return {
    WebSocket: Tracked as unknown as WebSocketConstructor,
    drop() {
      if (!current || current.readyState !== WebSocket.OPEN) return false;
      current.terminate();
      return true;
    },
  };
}
