#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import { startBridge } from "./index";
import { jsonLinesToStdout, type LogRecord } from "./log";

const LEVELS = ["debug", "info", "warn", "error"] as const;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("a port is an integer from 0 to 65535");
  return n;
}

function bytes(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024) throw new InvalidArgumentError("a byte count of at least 1024");
  return n;
}

function level(value: string): (typeof LEVELS)[number] {
  if (!(LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${LEVELS.join(", ")}`);
  return value as (typeof LEVELS)[number];
}

/**
 * `nexus-bridge`: runs the MQTT bridge in front of an edge, with JSON-line logs on stdout.
 *
 * @example
 * ```sh
 * npx tsx bridge/src/cli.ts --edge wss://nexus.example.com --port 1883 --ws-port 8083
 * ```
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("nexus-bridge")
    .description("MQTT 3.1.1/5 gateway: every device becomes a Nexus block of kind device")
    .requiredOption("--edge <url>", "the edge: http(s)://host[:port] or ws(s)://host[:port]", process.env.NEXUS_EDGE_URL)
    .option("--host <address>", "address to listen on", process.env.NEXUS_HOST ?? "0.0.0.0")
    .option("--port <port>", "MQTT over TCP (0 = a free port)", port, Number(process.env.NEXUS_MQTT_PORT ?? 1883))
    .option(
      "--ws-port <port>",
      "MQTT over WebSocket, subprotocol mqtt (0 = a free port)",
      port,
      Number(process.env.NEXUS_MQTT_WS_PORT ?? 8083),
    )
    .option(
      "--max-queued-bytes <bytes>",
      "bytes queued for a device that stopped reading before it is cut off with DISCONNECT 0x97",
      bytes,
      4 * 1024 * 1024,
    )
    .option("--log-level <level>", "least severe level written", level, "info")
    .parse(argv);
  const o = program.opts<{
    edge: string;
    host: string;
    port: number;
    wsPort: number;
    maxQueuedBytes: number;
    logLevel: (typeof LEVELS)[number];
  }>();
  try {
    new URL(o.edge);
  } catch {
    program.error(`--edge: not a URL: ${o.edge}`);
  }
  const least = LEVELS.indexOf(o.logLevel);
  const bridge = await startBridge({
    host: o.host,
    port: o.port,
    wsPort: o.wsPort,
    edgeUrl: o.edge,
    maxQueuedBytes: o.maxQueuedBytes,
    log: (record) => {
      if (LEVELS.indexOf((record as LogRecord).level) >= least) jsonLinesToStdout(record);
    },
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    jsonLinesToStdout({
      at: new Date().toISOString(),
      level: "info",
      event: "bridge.stopping",
      signal,
      devices: bridge.connections,
    });
    bridge.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main(process.argv).catch((err: unknown) => {
  jsonLinesToStdout({
    at: new Date().toISOString(),
    level: "error",
    event: "bridge.failed",
    error: err instanceof Error ? err.message : String(err),
  });
  process.exit(1);
});
