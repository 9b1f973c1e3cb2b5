import WebSocket from "ws";

/** A frame as received: parsed JSON. */
export type Received = Record<string, any>;

/** A raw protocol client for tests: sends frames, waits for the ones it expects, never sleeps. */
export interface Block {
  ws: WebSocket;
  welcome: Received;
  jid: string;
  /** Sends a frame object (JSON) or a raw string. */
  send(frame: object | string): void;
  /** The next received frame matching `match` (default: any); earlier non-matching frames stay queued. */
  next(match?: (f: Received) => boolean, timeoutMs?: number): Promise<Received>;
  /** Sends a frame with an id and waits for the frame that answers it (ack, error, api.result, find.result). */
  request(frame: { id: string } & Record<string, unknown>, timeoutMs?: number): Promise<Received>;
  /** Frames received and not yet taken by next(). */
  queued(): Received[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** An HTTP refusal of the upgrade. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: any,
  ) {
    super(`upgrade refused with ${status}: ${JSON.stringify(body)}`);
  }
}

/** Opens a block connection and waits for its welcome frame. */
export function openBlock(url: string, headers?: Record<string, string>): Promise<Block> {
  return new Promise((resolve, reject) => {
    // workerd holds the TCP connection for seconds after its close frame (a known runtime quirk);
    // the close code has arrived by then, so stop waiting for the socket shortly after the frame.
    // (ws 8.23 has the option; @types/ws does not list it yet.)
    const options: WebSocket.ClientOptions & { closeTimeout: number } = { headers, closeTimeout: 200 };
    const ws = new WebSocket(url, options);
    const inbox: Received[] = [];
    const waiters: { match: (f: Received) => boolean; resolve: (f: Received) => void }[] = [];
    let welcomeResolve: ((f: Received) => void) | undefined;
    const closed = new Promise<{ code: number; reason: string }>((res) => {
      ws.on("close", (code, reason) => res({ code, reason: String(reason) }));
    });
    ws.on("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d));
      res.on("end", () => reject(new UpgradeRefused(res.statusCode ?? 0, text ? JSON.parse(text) : undefined)));
    });
    ws.on("error", (err) => reject(err));
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Received;
      if (welcomeResolve && frame.t === "welcome") {
        welcomeResolve(frame);
        welcomeResolve = undefined;
        return;
      }
      const i = waiters.findIndex((w) => w.match(frame));
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(frame);
      else inbox.push(frame);
    });
    const next = (match: (f: Received) => boolean = () => true, timeoutMs = 10_000): Promise<Received> => {
      const i = inbox.findIndex(match);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      return new Promise((res, rej) => {
        const waiter = {
          match,
          resolve: (f: Received) => {
            clearTimeout(timer);
            res(f);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          rej(new Error(`no matching frame within ${timeoutMs} ms; queued: ${JSON.stringify(inbox).slice(0, 500)}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    };
    welcomeResolve = (welcome) =>
      resolve({
        ws,
        welcome,
        jid: welcome.jid,
        send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
        next,
        request(frame, timeoutMs) {
          ws.send(JSON.stringify(frame));
          return next((f) => f.id === frame.id && f.t !== "msg", timeoutMs);
        },
        queued: () => [...inbox],
        closed,
        async close() {
          if (ws.readyState === WebSocket.CLOSED) return;
          ws.close();
          await closed;
        },
      });
  });
}

/**
 * Reads the next `count` channel messages of a block (skipping other frames), as `{ seq, data }`.
 *
 * @example
 * ```ts
 * expect(await readMessages(sub, 2)).toEqual([{ seq: 1, data: "a" }, { seq: 2, data: "b" }]);
 * ```
 */
export async function readMessages(b: Block, count: number): Promise<{ seq: number; data: string }[]> {
  const got: { seq: number; data: string }[] = [];
  while (got.length < count) {
    const m = await b.next((f) => f.t === "msg", 30_000);
    got.push({ seq: m.seq as number, data: m.data as string });
  }
  return got;
}
