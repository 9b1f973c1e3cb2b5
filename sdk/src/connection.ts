import { isWorkerKind } from "../../src/identity/kinds";
import type { WelcomeLimits } from "../../src/protocol/codes";
import { CloseCode, DEFAULT_LIMITS } from "../../src/protocol/codes";
import type { Identity, ServerFrame } from "../../src/protocol/frames";
import { Backoff } from "./backoff";
import { terminalError } from "./close-codes";
import { connectUrl } from "./connect-url";
import { ErrorCode, NexusError } from "./errors";
import { Keepalive, PING } from "./keepalive";
import type { ClientState, ConnectOptions } from "./options";
import {
  openSocket,
  probeRefusal,
  resolveWebSocket,
  type SocketEvents,
  type SocketHandle,
  type SocketInit,
  type WebSocketConstructor,
} from "./transport";

type Welcome = Extract<ServerFrame, { t: "welcome" }>;

/**
 * What the connection tells its owner.
 *
 * @example
 * ```ts
 * const hooks: ConnectionHooks = {
 *   restore: async () => { await served.restore(); await channels.restore(); },
 *   ready: () => pending.flush(),
 *   frame: (f) => dispatch(f),
 *   dropped: () => pending.dropInFlight(err),
 *   state: (s) => emit("state", s),
 *   error: (e) => emit("error", e),
 * };
 * ```
 */
export interface ConnectionHooks {
  /** A socket was welcomed; resolve once served methods and subscriptions are restored on it. */
  restore(welcome: Welcome): Promise<void>;
  /** Restored: queued calls may go out. */
  ready(): void;
  frame(frame: ServerFrame): void;
  /** The welcomed socket dropped; what was in flight on it is lost. */
  dropped(): void;
  state(state: ClientState): void;
  /** A failure not tied to one call (a refused reconnect, a terminal close). */
  error(error: NexusError): void;
}

// Sent to our own abandoned socket; not a server code, so it never reads as terminal.
const KEEPALIVE_CLOSE = 4000;

/**
 * One logical connection over successive sockets: opens, waits for `welcome`, lets the owner restore
 * its declarations, keeps the socket alive and reconnects with backoff until closed.
 * Close codes 4008 and 4009 are final; 4001 asks a token function once more, else is final.
 *
 * @example
 * ```ts
 * const conn = new Connection({ url, token, kind: "default" }, hooks);
 * await conn.start(); // first welcome and restore, or the refusal
 * conn.send('{"t":"find","id":"f1"}');
 * await conn.close();
 * ```
 */
export class Connection {
  state: ClientState = "connecting";
  identity: Identity | undefined;
  limits: WelcomeLimits = { ...DEFAULT_LIMITS };
  /** Increments per socket, so late events of an old socket are recognised and ignored. */
  generation = 0;

  private socket: SocketHandle | undefined;
  private open = false;
  private readonly backoff: Backoff | undefined;
  private readonly keepalive: Keepalive | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private firstConnect: { resolve(): void; reject(err: unknown): void } | undefined;
  private socketClosed: (() => void) | undefined;

  constructor(
    private readonly options: ConnectOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.backoff = options.reconnect === false ? undefined : new Backoff(options.reconnect);
    this.keepalive =
      options.keepalive === false
        ? undefined
        : new Keepalive(
            options.keepalive ?? {},
            () => this.send(PING),
            () => this.socket?.close(KEEPALIVE_CLOSE, "keepalive timeout", true),
          );
  }

  /** Connects for the first time; rejects with the refusal or failure instead of retrying. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstConnect = { resolve, reject };
      void this.attempt();
    });
  }

  /** True while a welcomed socket is open (declarations may be written, even before `connected`). */
  isOpen(): boolean {
    return this.open;
  }

  /** Writes one frame on the welcomed socket; dropped when there is none. */
  send(text: string): void {
    if (this.open) this.socket?.send(text);
  }

  /** Closes for good; resolves when the socket has closed, or after 500 ms (workerd holds TCP open after its close frame). */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.setState("closed");
    this.stopTimers();
    this.firstConnect?.reject(new NexusError(ErrorCode.disconnected, "closed before connecting", { retryable: false }));
    this.firstConnect = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.open = false;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.close(1000, "client closed", true);
        resolve();
      }, 500);
      this.socketClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.close(1000, "client closed");
    });
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    this.setState("connecting");
    let url: string;
    const inHeader = this.options.tokenIn === "header";
    const init: SocketInit = {};
    try {
      const token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
      // After the first welcome, reconnect to the same resource so the JID (and what others know of it) survives.
      const target: { kind?: string; resource?: string } = this.identity ? { resource: this.identity.resource } : this.options;
      url = connectUrl(this.options.url, inHeader ? undefined : token, { kind: target.kind, resource: target.resource });
      if (inHeader) init.headers = { authorization: `Bearer ${token}` };
    } catch (cause) {
      const error =
        cause instanceof NexusError
          ? cause
          : new NexusError(ErrorCode.unauthorized, "the token function failed", { cause, retryable: true });
      return this.failed(generation, error);
    }
    let WS: WebSocketConstructor;
    try {
      WS = await resolveWebSocket(this.options.WebSocket, { preferNode: inHeader, closeTimeoutMs: this.options.closeTimeoutMs });
    } catch (cause) {
      const message = "no WebSocket implementation: install the ws package or pass options.WebSocket";
      return this.failed(generation, new NexusError(ErrorCode.internal, message, { cause, retryable: false }));
    }
    if (!this.current(generation)) return;
    let opened = false;
    let socket: SocketHandle;
    const events: SocketEvents = {
      onOpen: () => {
        opened = true;
      },
      onMessage: (text) => {
        if (generation !== this.generation) return;
        this.keepalive?.alive(text.length);
        let frame: ServerFrame;
        try {
          frame = JSON.parse(text) as ServerFrame;
        } catch {
          return;
        }
        if (!this.open && frame.t === "welcome") this.welcomed(generation, frame);
        else if (this.open) this.hooks.frame(frame);
      },
      onRefused: (error) => this.failed(generation, error),
      onClose: (code, reason) => {
        this.socketClosed?.();
        if (generation !== this.generation) return;
        if (this.open) this.dropped(code, reason);
        else this.failed(generation, undefined, { opened, code, url, seesRefusals: socket.seesRefusals });
      },
    };
    try {
      socket = openSocket(WS, url, events, init);
    } catch (cause) {
      // Browsers throw at construction for a URL or port they refuse outright (e.g. a blocked port).
      return this.failed(
        generation,
        new NexusError(ErrorCode.bad_request, `cannot open a WebSocket to ${url.split("?")[0]}`, { cause }),
      );
    }
    this.socket = socket;
    this.connectTimer = setTimeout(() => socket.close(4000, "connect timeout", true), this.options.connectTimeoutMs ?? 10_000);
  }

  private welcomed(generation: number, welcome: Welcome): void {
    clearTimeout(this.connectTimer);
    this.open = true;
    this.identity = welcome.from;
    this.limits = welcome.limits ?? this.limits;
    // Workers are held to the server's cadence; frontends keep their own (they are not held to it).
    this.keepalive?.start(isWorkerKind(welcome.from.kind) ? welcome.limits?.pingIntervalMs : undefined);
    const restored = this.hooks.restore(welcome).catch((cause) => {
      this.hooks.error(new NexusError(ErrorCode.internal, "restoring declarations failed", { cause }));
    });
    restored.then(() => {
      if (generation !== this.generation || !this.open) return;
      this.backoff?.reset();
      this.setState("connected");
      this.hooks.ready();
      this.firstConnect?.resolve();
      this.firstConnect = undefined;
    });
  }

  private dropped(code: number, reason: string): void {
    this.open = false;
    this.socket = undefined;
    this.stopTimers();
    this.hooks.dropped();
    if (code === CloseCode.tokenExpired && typeof this.options.token === "function") {
      // The token function is asked again by attempt(); a refusal of its new token is final (unauthorized).
      void this.attempt();
      return;
    }
    const terminal = terminalError(code, reason);
    if (terminal) this.terminate(terminal);
    else this.retry();
  }

  private async failed(
    generation: number,
    given: NexusError | undefined,
    socket?: { opened: boolean; code: number; url: string; seesRefusals: boolean },
  ): Promise<void> {
    if (!this.current(generation)) return;
    this.stopTimers();
    this.socket = undefined;
    let error = given;
    if (!error && socket && !socket.opened && !socket.seesRefusals) error = await probeRefusal(socket.url);
    if (!this.current(generation)) return;
    error ??=
      terminalError(socket?.code ?? 1006, "") ??
      new NexusError(ErrorCode.disconnected, `could not connect to ${this.options.url}`, { closeCode: socket?.code });
    // [contract: 503 unavailable] the edge is up but cannot check tokens now: even a first connect waits and retries.
    const waitOut = error.code === ErrorCode.unavailable && this.backoff && this.options.onFirstUnavailable !== "reject";
    if (this.firstConnect && !waitOut) {
      const first = this.firstConnect;
      this.firstConnect = undefined;
      this.setState("closed");
      first.reject(error);
      return;
    }
    if (!error.retryable) {
      this.terminate(error);
      return;
    }
    this.hooks.error(error);
    this.retry();
  }

  private retry(): void {
    if (!this.backoff) {
      this.terminate(new NexusError(ErrorCode.disconnected, "connection lost and reconnect is off", { retryable: false }));
      return;
    }
    this.setState("disconnected");
    this.retryTimer = setTimeout(() => void this.attempt(), this.backoff.next());
  }

  private terminate(error: NexusError): void {
    this.hooks.error(error);
    this.setState("closed");
  }

  private stopTimers(): void {
    this.keepalive?.stop();
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
  }

  /** False once a newer socket exists or the connection closed: that socket's events are stale. */
  private current(generation: number): boolean {
    return generation === this.generation && this.state !== "closed";
  }

  private setState(state: ClientState): void {
    if (this.state === state) return;
    this.state = state;
    this.hooks.state(state);
  }
}
