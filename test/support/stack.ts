import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../scripts/local-stack";
import { type Block, openBlock } from "./ws-client";

/** A local stack for one test file, with helpers for the registry and tokens. */
export interface TestStack extends LocalStack {
  /** Calls an admin route with the admin key; returns status and parsed JSON body. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Creates (or re-owns) an app. */
  createApp(app: string, owner: string): Promise<void>;
  /** Mints a development token through POST /v1/admin/tokens. */
  token(claims: { uid: string; app: string; kinds?: string[]; ttlSeconds?: number }): Promise<string>;
  /** The connect URL for a token and a kind or an exact resource. */
  connectUrlFor(token: string, target: { kind: string } | { resource: string }): string;
  /** Opens a block with a fresh token and waits for its welcome; stop() terminates every block opened so. */
  open(uid: string, app: string, target: { kind: string } | { resource: string }): Promise<Block>;
}

/**
 * Starts the real local stack (workerd edge; the MQTT bridge when `bridge: true`) on free ports.
 * Call `stop()` in afterAll: it stops every process it started.
 */
export async function startStack(options: LocalStackOptions & { bridge?: boolean } = {}): Promise<TestStack> {
  const { bridge, ...rest } = options;
  // The bridge listens on a free port when asked for; otherwise it stays off (mqttPort 0).
  const stack = await startLocalStack({ ...rest, mqttPort: bridge ? rest.mqttPort : 0 });
  const admin: TestStack["admin"] = async (method, path, body) => {
    const res = await fetch(stack.httpUrl + path, {
      method,
      headers: { authorization: `Bearer ${stack.adminKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const blocks: Block[] = [];
  const stopStack = stack.stop.bind(stack);
  const connectUrlFor = (token: string, target: { kind: string } | { resource: string }) =>
    `${stack.connectUrl}?${new URLSearchParams({ token, ...target })}`;
  return Object.assign(stack, {
    admin,
    async createApp(app: string, owner: string) {
      const r = await admin("PUT", `/v1/admin/apps/${app}`, { owner });
      if (r.status !== 200) throw new Error(`createApp ${app}: ${r.status} ${JSON.stringify(r.body)}`);
    },
    async token(claims: { uid: string; app: string; kinds?: string[]; ttlSeconds?: number }) {
      const r = await admin("POST", "/v1/admin/tokens", claims);
      if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    connectUrlFor,
    async open(uid: string, app: string, target: { kind: string } | { resource: string }) {
      const r = await admin("POST", "/v1/admin/tokens", { uid, app });
      const block = await openBlock(connectUrlFor(r.body.token, target));
      blocks.push(block);
      return block;
    },
    async stop() {
      for (const b of blocks) b.ws.terminate();
      await stopStack();
    },
  });
}
