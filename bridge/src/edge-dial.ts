import WebSocket from "ws";
import type { ServerFrame } from "../../src/protocol/frames";
import { BridgeError } from "./errors";

/** The edge's first frame. */
export type Welcome = Extract<ServerFrame, { t: "welcome" }>;

/** An edge connection being opened; `abort` gives up on it. */
export interface Dialing {
  done: Promise<{ ws: WebSocket; welcome: Welcome }>;
  abort(): void;
}

/**
 * Opens one WebSocket to the edge's `/v1/connect` with a device's token and waits for `welcome`.
 * A refusal before the upgrade rejects with a BridgeError carrying the HTTP status and the
 * contract's error code from the JSON body, which the bridge turns into a CONNACK reason.
 * On success the socket has no listeners left: the caller attaches its own.
 *
 * @example
 * ```ts
 * const { ws, welcome } = await dialEdge("ws://127.0.0.1:8787/v1/connect?resource=device01", token, 10_000).done;
 * ```
 */
export function dialEdge(url: string, token: string, timeoutMs: number): Dialing {
  // The token goes in the header, not the URL, so it stays out of access logs.
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  let fail: (err: BridgeError) => void = () => {};
  const done = new Promise<{ ws: WebSocket; welcome: Welcome }>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(new BridgeError("timeout", "the edge sent no welcome")), timeoutMs);
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
    };
    fail = (err) => {
      if (settled) return;
      settle();
      ws.on("error", () => {});
      ws.terminate();
      reject(err);
    };
    ws.on("unexpected-response", (req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        let code = status === 401 ? "unauthorized" : status === 403 ? "forbidden" : status >= 500 ? "internal" : "bad_request";
        let message = `the edge refused the connection (HTTP ${status})`;
        try {
          const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
          code = parsed.error?.code ?? code;
          message = parsed.error?.message ?? message;
        } catch {
          // Not the contract's JSON body (a proxy's error page): the status alone decides.
        }
        req.destroy();
        fail(new BridgeError(code, message, { status }));
      });
    });
    ws.on("error", (err) => fail(new BridgeError("internal", `cannot reach the edge: ${err.message}`, { cause: err })));
    ws.on("close", (code, reason) => fail(new BridgeError("disconnected", `closed before welcome (${code} ${reason})`)));
    ws.on("message", (data) => {
      const frame = parseServerFrame(data);
      if (settled || frame?.t !== "welcome") return;
      settle();
      resolve({ ws, welcome: frame });
    });
  });
  return { done, abort: () => fail(new BridgeError("disconnected", "aborted")) };
}

/**
 * Parses a frame from the edge; undefined for anything that is not a JSON object with a `t`.
 *
 * @example
 * ```ts
 * parseServerFrame(Buffer.from('{"t":"pong"}')); // { t: "pong" }
 * ```
 */
export function parseServerFrame(data: WebSocket.RawData): ServerFrame | undefined {
  try {
    const value = JSON.parse(data.toString()) as ServerFrame;
    return typeof value === "object" && value !== null && typeof value.t === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
