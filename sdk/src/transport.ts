import { ErrorCode, NexusError } from "./errors";

/**
 * The part of the WHATWG WebSocket the SDK uses; browsers, Deno, Workers, undici and `ws` all have it.
 *
 * @example
 * ```ts
 * const ws: WebSocketLike = new WebSocket("wss://nexus.example.com/v1/connect?token=...&kind=webuo");
 * ```
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
}

/**
 * A WebSocket class, e.g. `globalThis.WebSocket` or the `ws` package's default export.
 *
 * @example
 * ```ts
 * import WebSocket from "ws";
 * const nx = await connect({ url, token, kind: "default", WebSocket: WebSocket as WebSocketConstructor });
 * ```
 */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * What a socket reports, in order: open, then messages, then exactly one of refused/close.
 *
 * @example
 * ```ts
 * const events: SocketEvents = { onOpen() {}, onMessage: (text) => handle(text), onRefused: (err) => fail(err), onClose: (code) => drop(code) };
 * ```
 */
export interface SocketEvents {
  onOpen(): void;
  onMessage(text: string): void;
  /** The server refused the upgrade and the environment let us read why (Node with `ws`). */
  onRefused(error: NexusError): void;
  onClose(code: number, reason: string): void;
}

/**
 * One WebSocket with its listeners attached from the start, so no early frame is missed.
 *
 * @example
 * ```ts
 * const handle: SocketHandle = openSocket(WS, url, events);
 * handle.send('{"t":"ping"}');
 * handle.close(4000, "keepalive timeout", true);
 * ```
 */
export interface SocketHandle {
  send(text: string): void;
  /** Closes; `abandon` also drops the TCP connection at once where possible (a dead socket). */
  close(code?: number, reason?: string, abandon?: boolean): void;
  /** True when `onRefused` can report HTTP refusals; false in browsers, where a failed upgrade hides its status. */
  readonly seesRefusals: boolean;
}

const OPEN = 1;

/**
 * How the SDK builds Node's `ws` sockets (ignored for a given or global WebSocket).
 *
 * @example
 * ```ts
 * const WS = await resolveWebSocket(undefined, { preferNode: true, closeTimeoutMs: 250 });
 * ```
 */
export interface NodeSocketOptions {
  /** Use the `ws` package even where a global WebSocket exists (to send headers and read refusals). */
  preferNode?: boolean;
  /** How long `ws` waits for the TCP close after the closing handshake, in ms (default 1000). */
  closeTimeoutMs?: number;
}

/**
 * The WebSocket class to use: the given one, else `globalThis.WebSocket`, else the `ws` package,
 * imported only then, so browser, Deno and Workers bundles never load Node modules.
 *
 * @example
 * ```ts
 * const WS = await resolveWebSocket(undefined); // browser: window.WebSocket; Node 20: ws
 * ```
 */
export async function resolveWebSocket(
  given: WebSocketConstructor | undefined,
  node: NodeSocketOptions = {},
): Promise<WebSocketConstructor> {
  if (given) return given;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global && !node.preferNode) return global;
  // Dynamic and external in the build: code paths that have a global WebSocket never load a Node module.
  const mod = (await import("ws")) as unknown as {
    default: new (
      url: string,
      options: { closeTimeout: number; headers?: Record<string, string>; perMessageDeflate: boolean },
    ) => WebSocketLike;
  };
  const NodeWebSocket = mod.default;
  const closeTimeout = node.closeTimeoutMs ?? 1000;
  // `ws` reports a close only once the TCP connection ends, up to `closeTimeout` (30 s) after the close frame;
  // workerd keeps TCP open for seconds after its close frame, which would hide a 4009 or 4001 that long.
  return class extends NodeWebSocket {
    constructor(url: string, init?: SocketInit) {
      super(url, { closeTimeout, headers: init?.headers, perMessageDeflate: false });
    }
  } as unknown as WebSocketConstructor;
}

/**
 * Extra settings of one socket: request headers (the `ws` package and undici honour them; browsers cannot).
 *
 * @example
 * ```ts
 * const init: SocketInit = { headers: { authorization: `Bearer ${token}` } };
 * ```
 */
export interface SocketInit {
  headers?: Record<string, string>;
}

/**
 * Opens a WebSocket with its listeners in place before any event can fire.
 *
 * @example
 * ```ts
 * const ws = openSocket(WS, "ws://127.0.0.1:8787/v1/connect?token=...&kind=default", {
 *   onOpen() {}, onMessage(text) {}, onRefused(err) {}, onClose(code, reason) {},
 * });
 * ```
 */
export function openSocket(WS: WebSocketConstructor, url: string, events: SocketEvents, init?: SocketInit): SocketHandle {
  // Only a socket with headers gets the second argument: a browser's WebSocket reads it as subprotocols.
  const socket = init?.headers
    ? new (WS as unknown as new (url: string, init: SocketInit) => WebSocketLike)(url, init)
    : new WS(url);
  let finished = false;
  const finish = (report: () => void) => {
    if (finished) return;
    finished = true;
    report();
  };
  const nodeSocket = socket as WebSocketLike & Partial<NodeWs>;
  const seesRefusals = typeof nodeSocket.on === "function";
  if (seesRefusals) {
    // `ws` hands over the HTTP response of a refused upgrade; the contract puts the reason in its JSON body.
    nodeSocket.on!("unexpected-response", (req, res) => {
      readBody(res).then((body) => {
        finish(() => events.onRefused(refusalError(res.statusCode ?? 0, body)));
        req.destroy();
        nodeSocket.terminate?.();
      });
    });
    // Without an 'error' listener on the emitter API, `ws` would throw on a refused connection.
    nodeSocket.on!("error", () => {});
  }
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    events.onOpen();
  });
  socket.addEventListener("message", (e: { data: unknown }) => {
    if (!finished && typeof e.data === "string") events.onMessage(e.data);
  });
  // Some implementations (undici in Node 20) fire only `error` for a refused handshake, never `close`.
  socket.addEventListener("error", () => {
    if (opened) return;
    finish(() => events.onClose(1006, ""));
    try {
      socket.close();
    } catch {
      // Already failed; nothing to close.
    }
  });
  socket.addEventListener("close", (e: { code: number; reason: string }) => finish(() => events.onClose(e.code, e.reason)));
  return {
    seesRefusals,
    send(text) {
      if (socket.readyState === OPEN) socket.send(text);
    },
    close(code = 1000, reason = "", abandon = false) {
      if (abandon && nodeSocket.terminate) nodeSocket.terminate();
      else {
        try {
          socket.close(code, reason);
        } catch {
          socket.close();
        }
      }
      // A dead peer never completes the closing handshake; report the close now so reconnecting is not held up.
      if (abandon) finish(() => events.onClose(code, reason));
    },
  };
}

/**
 * Asks the edge over plain HTTP why an upgrade failed, for environments that hide the status of a failed
 * upgrade (browsers, Deno, Workers). The edge answers the same 400/401/403/429/503 JSON to a GET without
 * `Upgrade`. Returns undefined when the answer says nothing (network down, edge unreachable, CORS).
 *
 * @example
 * ```ts
 * const refusal = await probeRefusal("ws://127.0.0.1:8787/v1/connect?token=bad&kind=default");
 * refusal?.code; // "unauthorized"
 * ```
 */
export async function probeRefusal(url: string): Promise<NexusError | undefined> {
  if (typeof fetch !== "function") return undefined;
  try {
    const res = await fetch(url.replace(/^ws/, "http"), { headers: { accept: "application/json" } });
    if (![400, 401, 403, 429, 503].includes(res.status)) return undefined;
    return refusalError(res.status, await res.text());
  } catch {
    return undefined;
  }
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.bad_request,
  401: ErrorCode.unauthorized,
  403: ErrorCode.forbidden,
  429: ErrorCode.quota_exceeded,
  503: ErrorCode.unavailable,
};

/**
 * The error for a refused upgrade: the body's contract code when present, else one derived from the status.
 *
 * @example
 * ```ts
 * refusalError(401, '{"error":{"code":"unauthorized","message":"token expired"}}').message; // "token expired"
 * ```
 */
export function refusalError(status: number, body: string): NexusError {
  let code: string = STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.internal : ErrorCode.bad_request);
  let message = `connect refused with HTTP ${status}`;
  let quota: string | undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; quota?: unknown } };
    if (typeof parsed.error?.code === "string") code = parsed.error.code;
    if (typeof parsed.error?.message === "string") message = `connect refused: ${parsed.error.message}`;
    if (typeof parsed.error?.quota === "string") quota = parsed.error.quota;
  } catch {
    // A proxy's HTML error page: the status is all we have.
  }
  // A 429 at connect is retried with backoff: the user's other blocks may leave (or a reconnecting
  // block's previous socket may not have been noticed gone yet), although `quota_exceeded` frames are final.
  return new NexusError(code, message, { status, retryable: status >= 500 || status === 429, ...(quota ? { quota } : {}) });
}

interface NodeWs {
  on(event: "unexpected-response", listener: (req: { destroy(): void }, res: NodeResponse) => void): void;
  on(event: "error", listener: (err: Error) => void): void;
  terminate(): void;
}

interface NodeResponse {
  statusCode?: number;
  on(event: "data", listener: (chunk: { toString(): string }) => void): void;
  on(event: "end" | "error", listener: () => void): void;
}

function readBody(res: NodeResponse): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    res.on("data", (chunk) => {
      if (body.length < 4096) body += chunk.toString();
    });
    res.on("end", () => resolve(body));
    res.on("error", () => resolve(body));
  });
}
