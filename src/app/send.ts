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
    return true;
  } catch {
    return false;
  }
}
