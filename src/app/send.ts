import type { TrafficStats } from "./traffic-stats";

// Which app object's traffic each socket counts towards (objects of one class may share an isolate,
// so this cannot be one module-wide counter). Set when the app object indexes the socket.
const trafficOf = new WeakMap<WebSocket, TrafficStats>();

/**
 * Counts every frame later sent to `ws` in `traffic` (the stats route's "messages out").
 *
 * @example
 * ```ts
 * countSends(ws, parts.traffic);
 * ```
 */
export function countSends(ws: WebSocket, traffic: TrafficStats): void {
  trafficOf.set(ws, traffic);
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
  try {
    ws.send(text);
    trafficOf.get(ws)?.sent(text);
    return true;
  } catch {
    return false;
  }
}
