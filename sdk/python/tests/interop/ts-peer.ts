/**
 * A TypeScript SDK block driven by the Python tests over stdin/stdout, one JSON object per line:
 * commands in (`{"n":1,"op":"api","app":"etest","method":"sum","data":{...}}`), answers out
 * (`{"n":1,"ok":true,"result":...}` or `{"n":1,"ok":false,"error":{"code","retryable","message"}}`),
 * and events out (`{"event":"msg"|"direct"|"state",...}`).
 *
 * @example
 * ```sh
 * NEXUS_URL=http://127.0.0.1:8787 NEXUS_TOKEN=... NEXUS_KIND=default npx tsx sdk/python/tests/interop/ts-peer.ts
 * ```
 */
import { createInterface } from "node:readline";
import { connect, type NexusClient, NexusError } from "../../../src/index";

type Command = Record<string, any> & { n: number; op: string };

const write = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};
const env = process.env;

const nx: NexusClient = await connect({
  url: env.NEXUS_URL ?? "",
  token: env.NEXUS_TOKEN ?? "",
  kind: env.NEXUS_KIND ?? "default",
  reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
});
nx.on("state", (state) => write({ event: "state", state }));
nx.onDirect((text, ctx) => write({ event: "direct", text, from: ctx.from.jid }));

const ops: Record<string, (c: Command) => Promise<unknown>> = {
  whoami: async () => ({ jid: nx.jid, resource: nx.identity?.resource }),
  serve: async (c) => {
    await nx.serve(c.method, (data, ctx) => {
      if (data?.fail) throw new NexusError("bad_request", String(data.fail));
      return { by: "ts", jid: nx.jid, caller: ctx.from.jid, echo: data };
    });
    return null;
  },
  api: (c) => nx.api(c.app, c.method, c.data, { resource: c.resource, timeoutMs: c.timeoutMs }),
  direct: (c) => nx.direct(c.app, c.resource, c.text, { ack: c.ack }),
  subscribe: async (c) => {
    await nx.subscribe(c.channel, (text, m) => write({ event: "msg", channel: m.channel, text, seq: m.seq, from: m.from.jid }));
    return null;
  },
  publish: (c) => nx.publish(c.channel, c.text, { ack: true }),
  find: (c) => nx.find(c.query ?? {}),
  close: async () => {
    await nx.close();
    setImmediate(() => process.exit(0));
    return null;
  },
};

write({ event: "ready", jid: nx.jid });
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const command = JSON.parse(line) as Command;
  const op = ops[command.op];
  if (!op) {
    write({ n: command.n, ok: false, error: { code: "bad_request", retryable: false, message: `unknown op ${command.op}` } });
    continue;
  }
  op(command).then(
    (result) => write({ n: command.n, ok: true, result: result ?? null }),
    (err: unknown) => {
      const e = err instanceof NexusError ? err : new NexusError("internal", String(err));
      write({ n: command.n, ok: false, error: { code: e.code, retryable: e.retryable, message: e.message } });
    },
  );
}
await nx.close();
