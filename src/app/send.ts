import type { TrafficStats } from "./traffic-stats";

/** What the app object knows of a socket it sends to. */
interface Outlet {
  /** Which app object's traffic the socket counts towards (objects of one class may share an isolate). */
  traffic: TrafficStats;
  /** Frames waiting for the runtime to take the upgrade's response, the first one first (see `hold`). */
  held?: string[];
}

const outlets = new WeakMap<WebSocket, Outlet>();

/**
 * Counts every frame later sent to `ws` in `traffic` (the stats route's "messages out").
 *
 * @example
 * ```ts
 * countSends(ws, parts.traffic);
 * ```
 */
export function countSends(ws: WebSocket, traffic: TrafficStats): void {
  const known = outlets.get(ws);
  if (known) known.traffic = traffic;
  else outlets.set(ws, { traffic });
}

/**
 * Sends a text frame if the socket is still open. Handlers await other objects, and a block may
 * close meanwhile; a frame for a closed socket has no one to go to, so it is dropped rather than
 * thrown (the runtime throws on send() after close()).
 *
 * @example
 * ```ts
 * if (!send(session.ws, frame)) pending.workerGone(session.conn);
 * ```
 */
export function send(ws: WebSocket, text: string): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  const outlet = outlets.get(ws);
  if (outlet?.held) {
    outlet.held.push(text);
    return true;
  }
  try {
    ws.send(text);
    outlet?.traffic.sent(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `first` the next frame of a socket, held with whatever is sent to the socket after it until
 * `release`. Call after `countSends`; without it, `first` is sent at once. See first-frames.ts for why.
 *
 * @example
 * ```ts
 * hold(ws, welcome);
 * send(ws, direct); // waits behind welcome
 * release(ws); // welcome, then direct
 * ```
 */
export function hold(ws: WebSocket, first: string): void {
  const outlet = outlets.get(ws);
  if (outlet) outlet.held = [first];
  else send(ws, first);
}

/**
 * Sends what `hold` holds for a socket, if anything; also before the app object closes it, so that a
 * block closed on its first turn still reads its first frame before the close.
 *
 * @example
 * ```ts
 * release(ws);
 * ws.close(4001, "token expired");
 * ```
 */
export function release(ws: WebSocket): void {
  const outlet = outlets.get(ws);
  const held = outlet?.held;
  if (!outlet || !held) return;
  outlet.held = undefined;
  for (const text of held) send(ws, text);
}
