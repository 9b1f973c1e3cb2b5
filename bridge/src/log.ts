/** One structured log record: a JSON object with at least `level` and `event`. */
export type LogRecord = { level: "debug" | "info" | "warn" | "error"; event: string } & Record<string, unknown>;

/**
 * Where the bridge writes its log records.
 *
 * @example
 * ```ts
 * const log: BridgeLog = (record) => process.stdout.write(`${JSON.stringify(record)}\n`);
 * ```
 */
export type BridgeLog = (record: Record<string, unknown>) => void;

/**
 * A logger that stamps every record with the time and any fixed fields (device, client id).
 *
 * @example
 * ```ts
 * const log = makeLogger(console.log, { clientId: "dev1" });
 * log("info", "device.connected", { resource: "device01" });
 * ```
 */
export function makeLogger(sink: BridgeLog | undefined, fixed: Record<string, unknown> = {}): Logger {
  const write = (level: LogRecord["level"], event: string, fields: Record<string, unknown> = {}) => {
    if (!sink) return;
    try {
      sink({ at: new Date().toISOString(), level, event, ...fixed, ...fields });
    } catch {
      // A failing log sink must never take a device down with it.
    }
  };
  return Object.assign(write, { child: (more: Record<string, unknown>) => makeLogger(sink, { ...fixed, ...more }) });
}

/** A bound logger; `child` adds fixed fields. */
export type Logger = ((level: LogRecord["level"], event: string, fields?: Record<string, unknown>) => void) & {
  child(fields: Record<string, unknown>): Logger;
};

/**
 * A sink writing one JSON line per record to stdout (the CLI's format).
 *
 * @example
 * ```ts
 * const log = makeLogger(jsonLinesToStdout);
 * ```
 */
export const jsonLinesToStdout: BridgeLog = (record) => {
  process.stdout.write(`${JSON.stringify(record)}\n`);
};
