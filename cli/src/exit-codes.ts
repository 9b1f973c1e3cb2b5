/**
 * The `nexus` command's exit codes, one per condition a script may branch on. Error codes of the
 * wire protocol map onto them; anything else is 1.
 *
 * @example
 * ```sh
 * nexus call etest sum '{"a":1}'; [ $? -eq 4 ] && echo "no worker online"
 * ```
 */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  timeout: 3,
  no_responders: 4,
  forbidden: 5,
  not_found: 6,
  offline: 7,
  unauthorized: 8,
  app_error: 9,
  unreachable: 10,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, for `nexus --help` and the docs. */
export const EXIT_CODE_MEANINGS: ReadonlyArray<readonly [ExitCode, string]> = [
  [ExitCode.ok, "success"],
  [ExitCode.error, "any other failure (bad_request, internal, worker_gone, ...)"],
  [ExitCode.usage, "bad command line (missing argument, token or admin key, a malformed name, invalid JSON)"],
  [ExitCode.timeout, "timeout: no answer in time (call --timeout, sub --timeout)"],
  [ExitCode.no_responders, "no_responders: no online worker serves the method"],
  [ExitCode.forbidden, "forbidden: no grant on the app, not the owner, or a kind the token does not allow"],
  [ExitCode.not_found, "not_found: the app is not registered"],
  [ExitCode.offline, "offline: the named worker of a direct is not online"],
  [ExitCode.unauthorized, "unauthorized: the edge refused the token (or the admin key): malformed, expired or wrong"],
  [ExitCode.app_error, "app_error: the worker answered with an error (its own bad_request too)"],
  [ExitCode.unreachable, "the edge could not be reached at --url"],
];

/**
 * The exit code for a wire error code (`NexusError.code`).
 *
 * @example
 * ```ts
 * exitCodeFor("no_responders"); // 4
 * exitCodeFor("internal");      // 1
 * ```
 */
export function exitCodeFor(code: string): ExitCode {
  return Object.hasOwn(ExitCode, code) && code !== "ok" && code !== "usage"
    ? ExitCode[code as keyof typeof ExitCode]
    : ExitCode.error;
}

/**
 * The exit code table as help text.
 *
 * @example
 * ```ts
 * program.addHelpText("after", exitCodeHelp());
 * ```
 */
export function exitCodeHelp(): string {
  return ["Exit codes:", ...EXIT_CODE_MEANINGS.map(([code, meaning]) => `  ${String(code).padStart(2)}  ${meaning}`)].join("\n");
}
