import { exports } from "cloudflare:workers";

export const ADMIN_KEY = "test-admin-key";

/** The sender identity the channel tests publish with, serialised as the channel object takes it. */
export const PUBLISHER = JSON.stringify({
  jid: "a-u-user@qepal.com/webuo1",
  app: "a",
  uid: "u",
  role: "user",
  resource: "webuo1",
  kind: "webuo",
});

export async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await exports.default.fetch(`http://nexus.test${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export async function token(uid: string, app: string, extra: { kinds?: string[]; ttlSeconds?: number } = {}): Promise<string> {
  const r = await admin("POST", "/v1/admin/tokens", { uid, app, ...extra });
  return r.body.token as string;
}

/** A block connected through the worker's own fetch handler, as the runtime hands it over. */
export interface TestSocket {
  ws: WebSocket;
  welcome: any;
  next(match?: (f: any) => boolean): Promise<any>;
  send(frame: object): void;
}

export async function connectBlock(tok: string, query: string): Promise<TestSocket> {
  const res = await exports.default.fetch(`http://nexus.test/v1/connect?token=${tok}&${query}`, {
    headers: { Upgrade: "websocket" },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
  const inbox: any[] = [];
  const waiters: { match: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  ws.addEventListener("message", (e) => {
    const frame = JSON.parse(String(e.data));
    const i = waiters.findIndex((w) => w.match(frame));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(frame);
    else inbox.push(frame);
  });
  ws.accept();
  const next = (match: (f: any) => boolean = () => true) => {
    const i = inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
    return new Promise<any>((resolve) => waiters.push({ match, resolve }));
  };
  const welcome = await next((f) => f.t === "welcome");
  return { ws, welcome, next, send: (frame) => ws.send(JSON.stringify(frame)) };
}
