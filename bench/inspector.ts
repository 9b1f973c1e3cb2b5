import WebSocket from "ws";

/** A DevTools protocol connection to the runtime's isolate: commands in, their results out. */
export interface InspectorConnection {
  /** Sends one DevTools command and resolves with its result. */
  call<T = unknown>(method: string, params?: object): Promise<T>;
  close(): void;
}

/**
 * Attaches to the first worker the inspector of a stack started with `inspectorPort` lists (wrangler's
 * inspector proxy), over the DevTools protocol. Events (messages without an id) go to `onEvent`.
 *
 * @example
 * ```ts
 * const inspector = await connectInspector(port);
 * const usage = await inspector.call<{ usedSize: number }>("Runtime.getHeapUsage");
 * inspector.close();
 * ```
 */
export async function connectInspector(
  inspectorPort: number,
  onEvent?: (method: string, params: any) => void,
): Promise<InspectorConnection> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error("the inspector lists no worker");
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on("message", (raw) => {
    const m = JSON.parse(String(raw)) as { id?: number; method?: string; params?: unknown; result?: unknown };
    if (m.method !== undefined) onEvent?.(m.method, m.params);
    if (m.id !== undefined) waiting.get(m.id)?.(m.result);
  });
  let nextId = 0;
  return {
    call: <T>(method: string, params: object = {}) =>
      new Promise<T>((resolve) => {
        const id = ++nextId;
        waiting.set(id, resolve as (result: unknown) => void);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}
