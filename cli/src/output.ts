import { describeError } from "./cli-error";
import type { ExitCode } from "./exit-codes";
import type { GlobalOptions } from "./global-options";

/**
 * Writes a command's result: `human` text in the default mode, `json` as one line of JSON with `--json`.
 *
 * @example
 * ```ts
 * emit(g, `published to ${channel}`, { ok: true, channel });
 * ```
 */
export function emit(g: GlobalOptions, human: string, json: unknown): void {
  process.stdout.write(`${g.json ? JSON.stringify(json) : human}\n`);
}

/**
 * Progress and status lines go to stderr, so stdout stays the result (and pipes cleanly).
 *
 * @example
 * ```ts
 * status(`subscribed to ${channel}`); // stderr: "nexus: subscribed to prices"
 * ```
 */
export function status(message: string): void {
  process.stderr.write(`nexus: ${message}\n`);
}

/**
 * Reports a failure (stderr always; stdout too with `--json`) and returns the exit code for it.
 *
 * @example
 * ```ts
 * process.exitCode = reportError(g, err);
 * ```
 */
export function reportError(g: Pick<GlobalOptions, "json">, err: unknown): ExitCode {
  const { code, message, exitCode } = describeError(err);
  process.stderr.write(`nexus: ${code}: ${message}\n`);
  if (g.json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
  return exitCode;
}
