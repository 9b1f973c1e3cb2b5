import { ExitCode, exitCodeFor } from "./exit-codes";

/**
 * A failure the CLI reports and exits on: a wire code (as `NexusError.code`) or a CLI condition
 * (`usage`, `unreachable`), with the exit code it maps to.
 *
 * @example
 * ```ts
 * throw new CliError("usage", "a token is needed: --token or NEXUS_TOKEN");
 * ```
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: ExitCode;

  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown; exitCode?: ExitCode } = {},
  ) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? (code === "usage" ? ExitCode.usage : exitCodeFor(code));
  }
}

/**
 * The code and message of any thrown value: a `CliError`, a `NexusError` (duck-typed, so SDK bundle
 * copies work), or anything else as `internal`.
 *
 * @example
 * ```ts
 * describeError(new CliError("usage", "no token")); // { code: "usage", message: "no token", exitCode: 2 }
 * ```
 */
export function describeError(err: unknown): { code: string; message: string; exitCode: ExitCode } {
  if (err instanceof CliError) return { code: err.code, message: err.message, exitCode: err.exitCode };
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (typeof e === "object" && e !== null && e.name === "NexusError" && typeof e.code === "string") {
    return { code: e.code, message: String(e.message), exitCode: exitCodeFor(e.code) };
  }
  return { code: "internal", message: err instanceof Error ? err.message : String(err), exitCode: exitCodeFor("internal") };
}
