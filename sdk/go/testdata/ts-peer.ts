// A TypeScript SDK peer for the Go SDK's tests and bench: one JSON command per stdin line, one JSON
// answer per command on stdout (with the command's "n"), and events ({"event":...}) as they happen.
//   node --import tsx --conditions=source sdk/go/testdata/ts-peer.ts   (from the repo root)
import { createInterface } from "node:readline";
import { connect, type NexusClient, NexusError, type Subscription } from "@qe/nexus-sdk";

type Command = { n: number; op: string; [key: string]: any };

let nx: NexusClient | undefined;
const subs = new Map<string, Subscription>();

function emit(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function client(): NexusClient {
  if (!nx) throw new NexusError("bad_request", "connect first");
  return nx;
}

function p50(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

async function run(cmd: Command): Promise<unknown> {
  switch (cmd.op) {
    case "connect": {
      nx = await connect({ url: cmd.url, token: cmd.token, kind: cmd.kind });
      nx.onDirect((text, ctx) => emit({ event: "direct", text, from: ctx.from.jid }));
      return { jid: nx.jid, resource: nx.identity?.resource };
    }
    case "serve":
      await client().serve(cmd.method, (data, ctx) => {
        if (data?.fail) throw new NexusError("app_error", String(data.fail));
        return { echo: data, from: ctx.from.jid, by: client().jid };
      });
      return {};
    case "api":
      return { data: await client().api(cmd.app, cmd.method, cmd.data, cmd.resource ? { resource: cmd.resource } : {}) };
    case "direct":
      await client().direct(cmd.app, cmd.resource, cmd.text, { ack: true });
      return {};
    case "subscribe": {
      const sub = await client().subscribe(cmd.channel, (text, m) =>
        emit({ event: "msg", channel: m.channel, text, seq: m.seq, from: m.from.jid, retained: m.retained }),
      );
      subs.set(cmd.channel, sub);
      return {};
    }
    case "publish":
      await client().publish(cmd.channel, cmd.text, { ack: true, retain: cmd.retain === true });
      return {};
    case "find":
      return { blocks: await client().find(cmd.query ?? {}) };
    case "bench-api": {
      // Sequential round trips, after a warm-up, as the Go side measures them.
      const samples: number[] = [];
      const options = cmd.resource ? { resource: cmd.resource } : {};
      for (let i = 0; i < cmd.warmup + cmd.count; i++) {
        const start = performance.now();
        await client().api(cmd.app, cmd.method, { i }, options);
        if (i >= cmd.warmup) samples.push(performance.now() - start);
      }
      return { p50Ms: p50(samples), count: samples.length, samplesMs: samples };
    }
    case "bench-pub": {
      // Publish-to-delivery on this client's own subscription, one message in flight at a time.
      const samples: number[] = [];
      let resolveNext: (() => void) | undefined;
      const sub = await client().subscribe(cmd.channel, () => resolveNext?.());
      for (let i = 0; i < cmd.warmup + cmd.count; i++) {
        const delivered = new Promise<void>((resolve) => {
          resolveNext = resolve;
        });
        const start = performance.now();
        await client().publish(cmd.channel, String(i));
        await delivered;
        if (i >= cmd.warmup) samples.push(performance.now() - start);
      }
      await sub.unsubscribe();
      return { p50Ms: p50(samples), count: samples.length, samplesMs: samples };
    }
    case "close":
      await nx?.close();
      return {};
    default:
      throw new NexusError("bad_request", `unknown op ${cmd.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const cmd = JSON.parse(line) as Command;
  run(cmd).then(
    (result) => emit({ n: cmd.n, ok: true, ...(result as object) }),
    (err) =>
      emit({
        n: cmd.n,
        ok: false,
        error: { code: err?.code ?? "internal", message: String(err?.message ?? err), retryable: err?.retryable === true },
      }),
  );
});
lines.on("close", () => {
  void nx?.close().finally(() => process.exit(0));
  if (!nx) process.exit(0);
});
emit({ event: "ready" });
