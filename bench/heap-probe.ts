import { createServer } from "node:net";
import { connectInspector } from "./inspector";

/** A free loopback TCP port (the kernel picks it; it is closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The JS heap of the edge's isolate (the worker and its Durable Objects), after a full collection. */
export interface HeapFigure {
  usedBytes: number;
  /** Objects by constructor name (V8's heap snapshot node names), for finding what grew. */
  objects: Map<string, { count: number; bytes: number }>;
}

/** A DevTools session on the runtime's inspector, kept open for as long as the figures are wanted. */
export interface InspectorSession {
  /** The JS heap after a full collection. */
  heap(): Promise<HeapFigure>;
  close(): void;
}

/**
 * Opens a DevTools session on the inspector of a stack started with `inspectorPort` (wrangler's
 * inspector proxy). Keep it open from before the load starts: while no DevTools client is attached,
 * the proxy buffers every message the runtime sends (a Network event per request) and replays them
 * all, each with a request to wrangler, when a client attaches; after 20,000 connections that burst
 * took more sockets than the process may open and crashed it. With a session open, each message is
 * passed on (and dropped here) as it comes.
 *
 * @example
 * ```ts
 * const session = await openInspector(port);
 * const before = await session.heap();
 * session.close();
 * ```
 */
export async function openInspector(inspectorPort: number): Promise<InspectorSession> {
  let chunks: string[] = [];
  const inspector = await connectInspector(inspectorPort, (method, params) => {
    if (method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(params.chunk);
  });
  return {
    async heap() {
      chunks = [];
      await inspector.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      const usage = await inspector.call<{ usedSize: number }>("Runtime.getHeapUsage");
      return { usedBytes: usage.usedSize, objects: countObjects(JSON.parse(chunks.join(""))) };
    },
    close: () => inspector.close(),
  };
}

/**
 * Reads the runtime's JS heap through its DevTools inspector (a stack started with `inspectorPort`).
 * A heap snapshot makes V8 collect everything unreachable first, so what it counts is what the
 * isolate retains: the part of its memory a Durable Object's isolate limit applies to. For a figure
 * after heavy load, use `openInspector` before the load instead.
 *
 * @example
 * ```ts
 * const stack = await startStack({ inspectorPort: await freePort() });
 * const before = await readHeap(port);
 * ```
 */
export async function readHeap(inspectorPort: number): Promise<HeapFigure> {
  const session = await openInspector(inspectorPort);
  try {
    return await session.heap();
  } finally {
    session.close();
  }
}

function countObjects(snapshot: any): Map<string, { count: number; bytes: number }> {
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf("type"), fields.indexOf("name"), fields.indexOf("self_size")];
  const out = new Map<string, { count: number; bytes: number }>();
  const nodes: number[] = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]!];
    if (type !== "object" && type !== "closure") continue;
    const name = String(snapshot.strings[nodes[i + nameAt]!]).slice(0, 60);
    const entry = out.get(name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + sizeAt]!;
    out.set(name, entry);
  }
  return out;
}

/**
 * The constructors whose retained objects grew the most from one figure to the next.
 *
 * @example
 * ```ts
 * grown(before, after, 5); // ["Session +3000 (240 KiB)", ...]
 * ```
 */
export function grown(before: HeapFigure, after: HeapFigure, top: number): string[] {
  return [...after.objects]
    .map(([name, a]) => ({
      name,
      count: a.count - (before.objects.get(name)?.count ?? 0),
      bytes: a.bytes - (before.objects.get(name)?.bytes ?? 0),
    }))
    .filter((g) => g.count > 0)
    .sort((x, y) => y.bytes - x.bytes)
    .slice(0, top)
    .map((g) => `${g.name} +${g.count} (${(g.bytes / 1024).toFixed(1)} KiB)`);
}
