import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_startWorker } from "wrangler";
import type { EdgeHandle, EdgeRuntimeOptions } from "./edge-runtime";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The edge under `wrangler dev` (for `npm run dev`): wrangler's dev proxy holds the port and the
 * runtime behind it restarts whenever src/ changes, so clients reconnect to the same address. The
 * proxy is a second workerd that forwards every frame: faster to iterate on, not what production runs.
 *
 * @example
 * ```ts
 * const edge = await startDevEdge({ host: "127.0.0.1", port: 8787, persistDir, assetsDir, vars: {}, logLevel: "info", inspectorPort: undefined });
 * ```
 */
export async function startDevEdge(o: EdgeRuntimeOptions): Promise<EdgeHandle> {
  const bindings: Record<string, { type: "plain_text"; value: string }> = {};
  for (const [k, v] of Object.entries(o.vars)) bindings[k] = { type: "plain_text", value: v };
  const worker = await unstable_startWorker({
    config: join(ROOT, "wrangler.toml"),
    assets: o.assetsDir,
    envFiles: [],
    bindings,
    sendMetrics: false,
    dev: {
      server: { hostname: o.host, port: o.port },
      inspector: o.inspectorPort === undefined ? false : { hostname: o.host, port: o.inspectorPort },
      persist: o.persistDir,
      watch: true,
      liveReload: false,
      logLevel: o.logLevel,
    },
  });
  await worker.ready;
  const url = await worker.url;
  return { url: new URL(url), dispose: () => worker.dispose() };
}
