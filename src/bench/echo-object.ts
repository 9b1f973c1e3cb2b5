import { DurableObject } from "cloudflare:workers";

/**
 * The benchmark baseline: a Durable Object that accepts hibernatable WebSockets and echoes every
 * message back. Nexus' figures are reported as ratios to this object's, measured in the same run.
 */
export class EchoObject extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    ws.send(message);
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    ws.close(code === 1005 ? 1000 : code);
  }
}
