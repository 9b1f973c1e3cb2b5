import { Command } from "commander";
import { appArgument, kindArgument, methodArgument, resourceArgument, uidArgument } from "../arguments";
import { CliError, describeError } from "../cli-error";
import { withClient } from "../client";
import { ExitCode } from "../exit-codes";
import { globals, positiveInt } from "../global-options";
import { emit } from "../output";

/**
 * Parses the JSON argument of `call`; a bare word that is not JSON is a usage error.
 *
 * @example
 * ```ts
 * parseJsonArgument('{"a":1}'); // { a: 1 }
 * ```
 */
export function parseJsonArgument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError("usage", `JSON is not valid JSON: ${text} (quote strings: '"hello"')`);
  }
}

/**
 * `nexus call APP METHOD JSON`: calls a worker's method and prints the answer's data.
 *
 * @example
 * ```sh
 * nexus call etest sum '{"a":1,"b":2}' --timeout 5000
 * ```
 */
export function callCommand(): Command {
  return new Command("call")
    .description("call METHOD on a worker of APP with JSON data; prints the answer's data")
    .argument("<app>", "the app whose worker answers")
    .argument("<method>", "the method")
    .argument("[json]", "the data, as JSON", "null")
    .option("--resource <resource>", "one exact worker instead of round-robin")
    .option("--uid <uid>", "a user-role worker of this uid")
    .option("--timeout <ms>", "give up after this many ms (at most 30000)")
    .option("--kind <kind>", "the kind to connect as", "webuo")
    .action(
      async (
        app: string,
        method: string,
        json: string,
        opts: { resource?: string; uid?: string; timeout?: string; kind: string },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        appArgument(app);
        methodArgument(method);
        if (opts.resource !== undefined) resourceArgument(opts.resource, "--resource");
        if (opts.uid !== undefined) uidArgument(opts.uid);
        kindArgument(opts.kind);
        const data = parseJsonArgument(json);
        const timeoutMs = opts.timeout === undefined ? undefined : positiveInt("--timeout", opts.timeout);
        const answer = await withClient(g, { kind: opts.kind }, (nx) =>
          nx.api(app, method, data, { resource: opts.resource, uid: opts.uid, timeoutMs }).catch((err: unknown) => {
            throw workerAnswer(err);
          }),
        );
        emit(g, JSON.stringify(answer, null, 2) ?? "null", { ok: true, data: answer ?? null });
      },
    );
}

/**
 * A failed call whose code is `bad_request` was answered so by the worker: the arguments were checked
 * here and the edge reports a malformed frame as an `error` frame, never as a call's result. It is
 * the worker's own error, so it exits 9 (as app_error) and says so.
 */
function workerAnswer(err: unknown): unknown {
  const { code, message } = describeError(err);
  if (code !== "bad_request") return err;
  return new CliError("bad_request", `the worker answered: ${message}`, { cause: err, exitCode: ExitCode.app_error });
}
