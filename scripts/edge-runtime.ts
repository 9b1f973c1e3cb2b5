import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Log, LogLevel, Miniflare } from "miniflare";
import { parse } from "smol-toml";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONFIG = join(ROOT, "wrangler.toml");

/** How chatty the runtime is: the levels of wrangler's `--log-level`. */
export type EdgeLogLevel = "none" | "error" | "warn" | "info" | "log" | "debug";

const RANK: Record<EdgeLogLevel, number> = { none: 0, error: 1, warn: 2, info: 3, log: 4, debug: 5 };

/** What one edge runtime runs with. */
export interface EdgeRuntimeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Durable Object storage goes to `<persistDir>/v3/do/...`, where `wrangler dev --persist-to` keeps it. */
  persistDir: string;
  assetsDir: string;
  /** Plain-text vars, over wrangler.toml's [vars]. */
  vars: Record<string, string>;
  logLevel: EdgeLogLevel;
  inspectorPort: number | undefined;
}

/** A running edge runtime. */
export interface EdgeHandle {
  url: URL;
  dispose(): Promise<void>;
}

interface WranglerToml {
  name: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars?: Record<string, string>;
  assets?: { binding?: string; run_worker_first?: string[] };
  durable_objects?: { bindings?: { name: string; class_name: string }[] };
  migrations?: { new_sqlite_classes?: string[]; new_classes?: string[] }[];
}

/** The worker's options for Miniflare, all but its code. */
export interface EdgeWorkerOptions {
  name: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: Record<string, string>;
  durableObjects: Record<string, { className: string; useSQLite: boolean }>;
  assets: {
    directory: string;
    binding: string | undefined;
    routerConfig: { has_user_worker: boolean; static_routing: { asset_worker: string[]; user_worker: string[] } };
  };
}

/**
 * The worker's Miniflare options from wrangler.toml, as `wrangler dev` derives them (its
 * `unstable_getMiniflareWorkerOptions` answers the same; scripts/edge-runtime.test.ts checks it), read
 * here with a TOML parser instead: importing wrangler takes seconds, a third of the whole start.
 *
 * @example
 * ```ts
 * workerOptions("/tmp/assets").durableObjects; // { APP: { className: "AppObject", useSQLite: true }, ... }
 * ```
 */
export function workerOptions(assetsDir: string, config = CONFIG): EdgeWorkerOptions {
  const toml = parse(readFileSync(config, "utf8")) as unknown as WranglerToml;
  const sqlite = new Set((toml.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  const durableObjects: Record<string, { className: string; useSQLite: boolean }> = {};
  for (const b of toml.durable_objects?.bindings ?? [])
    durableObjects[b.name] = { className: b.class_name, useSQLite: sqlite.has(b.class_name) };
  const compatibilityFlags = toml.compatibility_flags ?? [];
  return {
    name: toml.name,
    compatibilityDate: toml.compatibility_date,
    compatibilityFlags,
    bindings: toml.vars ?? {},
    durableObjects,
    assets: {
      directory: assetsDir,
      binding: toml.assets?.binding,
      routerConfig: {
        has_user_worker: true,
        static_routing: { asset_worker: [], user_worker: toml.assets?.run_worker_first ?? [] },
      },
    },
  };
}

/** The edge worker (src/index.ts) bundled as wrangler bundles it: one ES module for workerd. */
async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, "src/index.ts")],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2024",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    logLevel: "silent",
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error("esbuild produced no bundle of src/index.ts");
  return file.text;
}

/**
 * Runs the edge worker and its Durable Objects in one workerd, through Miniflare, with the bindings
 * of wrangler.toml: what production runs, without the dev proxy (a second workerd that forwards
 * every request and WebSocket frame) that `wrangler dev` puts in front. Storage persists in the
 * layout `wrangler dev --persist-to <persistDir>` uses, so either can open the other's data.
 *
 * @example
 * ```ts
 * const edge = await startEdgeRuntime({ host: "127.0.0.1", port: 0, persistDir, assetsDir, vars: {}, logLevel: "warn", inspectorPort: undefined });
 * await fetch(new URL("/healthz", edge.url));
 * await edge.dispose();
 * ```
 */
export async function startEdgeRuntime(o: EdgeRuntimeOptions): Promise<EdgeHandle> {
  const worker = workerOptions(o.assetsDir);
  const script = await bundle();
  const shown = RANK[o.logLevel];
  const mf = new Miniflare({
    host: o.host,
    port: o.port,
    inspectorPort: o.inspectorPort,
    cf: false,
    log: new Log(shown >= RANK.debug ? LogLevel.DEBUG : shown >= RANK.info ? LogLevel.INFO : LogLevel.WARN),
    logRequests: false,
    defaultPersistRoot: join(o.persistDir, "v3"),
    handleStructuredLogs: ({ level, message }) => {
      const rank = RANK[level as EdgeLogLevel] ?? RANK.log;
      if (rank > shown) return;
      (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${message}\n`);
    },
    workers: [
      {
        ...worker,
        bindings: { ...worker.bindings, ...o.vars },
        modules: [{ type: "ESModule", path: join(ROOT, "src/index.js"), contents: script }],
      },
    ],
  });
  const url = await mf.ready;
  return { url, dispose: () => mf.dispose() };
}
