import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configProblem } from "../src/config";
import { buildAssets } from "./build-assets";
import { type EdgeHandle, startEdgeRuntime } from "./edge-runtime";

// The runtime tries to reach Cloudflare at start unless told not to; this machine has no internet.
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";
// Under `wrangler dev` (watch), wrangler runs wrangler.toml's [build] command (which assembles ./public)
// on every start; a local stack has its own assets folder, so that command returns at once
// (scripts/build-public.mjs).
process.env.NEXUS_SKIP_ASSETS_BUILD = "1";

/** What the local stack runs with; every field has a working default. */
export interface LocalStackOptions {
  host?: string;
  /** The edge's port; 0 picks a free one. */
  port?: number;
  /** The bridge's MQTT port; 0 turns the bridge off, undefined picks a free one in tests. */
  mqttPort?: number;
  /** The bridge's MQTT-over-WebSocket port; 0 picks a free one. */
  mqttWsPort?: number;
  adminKey?: string;
  jwtSecret?: string;
  domain?: string;
  /** Where Durable Object storage lives; a fresh temporary folder by default. */
  persistDir?: string;
  /** Extra plain-text vars for the edge (limits, NEXUS_JWKS_URL, NEXUS_BENCH...). */
  vars?: Record<string, string>;
  /** Log level of the edge runtime. */
  logLevel?: "none" | "error" | "warn" | "info" | "log" | "debug";
  /** Opens the runtime's DevTools inspector on this port (benches read the JS heap through it); off by default. */
  inspectorPort?: number;
  /**
   * Runs the edge under `wrangler dev` instead (its dev proxy in front, the runtime restarted when
   * src/ changes): hot reload for `npm run dev`. Off by default: the runtime alone, as in production.
   */
  watch?: boolean;
  /** Receives the bridge's structured log records. */
  bridgeLog?: (record: Record<string, unknown>) => void;
}

/** A running local stack. */
export interface LocalStack {
  /** `http://host:port` of the edge. */
  httpUrl: string;
  /** `ws://host:port/v1/connect`. */
  connectUrl: string;
  /** The bridge's MQTT port, or undefined when the bridge is off. */
  mqttPort: number | undefined;
  /** The bridge's MQTT-over-WebSocket port, or undefined when the bridge is off. */
  mqttWsPort: number | undefined;
  adminKey: string;
  jwtSecret: string;
  domain: string;
  persistDir: string;
  /** Stops the edge and starts it again on the same port with the same storage (bridge stays up). */
  restartEdge(): Promise<void>;
  /** Stops every part; safe to call twice. */
  stop(): Promise<void>;
}

type EdgeOptions = Required<Omit<LocalStackOptions, "bridgeLog" | "mqttPort" | "mqttWsPort" | "inspectorPort">> & {
  assetsDir: string;
  inspectorPort: number | undefined;
};

async function startEdge(o: EdgeOptions): Promise<EdgeHandle> {
  const vars = { NEXUS_DOMAIN: o.domain, NEXUS_ADMIN_KEY: o.adminKey, NEXUS_JWT_SECRET: o.jwtSecret, ...o.vars };
  const runtime = { ...o, vars };
  if (o.watch) return (await import("./edge-dev")).startDevEdge(runtime);
  return startEdgeRuntime(runtime);
}

/**
 * Starts the edge (one workerd, through Miniflare; under `wrangler dev` with `watch`) and, unless `mqttPort` is 0, the MQTT bridge.
 * Used by `npm start`, the end-to-end tests and the benchmarks alike.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // [contract: token policy] the edge refuses to start with an HS256 secret shorter than 32 bytes.
  const problem = configProblem({ NEXUS_JWT_SECRET: options.jwtSecret, ...options.vars });
  if (problem) throw new Error(`Nexus cannot start: ${problem}`);
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "nexus-"));
  const edgeOptions: EdgeOptions = {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    adminKey: options.adminKey ?? `dev-admin-${randomBytes(12).toString("hex")}`,
    jwtSecret: options.jwtSecret ?? `dev-secret-${randomBytes(24).toString("hex")}`,
    domain: options.domain ?? "qepal.com",
    persistDir,
    vars: options.vars ?? {},
    logLevel: options.logLevel ?? "warn",
    inspectorPort: options.inspectorPort,
    watch: options.watch ?? false,
    assetsDir: buildAssets(mkdtempSync(join(tmpdir(), "nexus-assets-"))),
  };
  let edge = await startEdge(edgeOptions);
  // Restarts must come back on the same port, so clients can reconnect to the address they know.
  edgeOptions.port = Number(edge.url.port);
  const httpUrl = `http://${edgeOptions.host}:${edgeOptions.port}`;
  const connectUrl = `ws://${edgeOptions.host}:${edgeOptions.port}/v1/connect`;

  let bridge: { port: number; wsPort: number; close(): Promise<void> } | undefined;
  if (options.mqttPort !== 0) {
    const { startBridge } = await import("../bridge/src/index");
    bridge = await startBridge({
      host: edgeOptions.host,
      port: options.mqttPort ?? 0,
      wsPort: options.mqttWsPort ?? 0,
      edgeUrl: httpUrl,
      log: options.bridgeLog,
    });
  }

  let stopped = false;
  return {
    httpUrl,
    connectUrl,
    mqttPort: bridge?.port,
    mqttWsPort: bridge?.wsPort,
    adminKey: edgeOptions.adminKey,
    jwtSecret: edgeOptions.jwtSecret,
    domain: edgeOptions.domain,
    persistDir: edgeOptions.persistDir,
    async restartEdge() {
      await edge.dispose();
      edge = await startEdge(edgeOptions);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await bridge?.close();
      await edge.dispose();
      rmSync(edgeOptions.assetsDir, { recursive: true, force: true });
    },
  };
}
