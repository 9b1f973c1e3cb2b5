import { Command } from "commander";
import { CliError } from "../cli-error";
import { withClient } from "../client";
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
        const data = parseJsonArgument(json);
        const timeoutMs = opts.timeout === undefined ? undefined : positiveInt("--timeout", opts.timeout);
        const answer = await withClient(g, { kind: opts.kind }, (nx) =>
          nx.api(app, method, data, { resource: opts.resource, uid: opts.uid, timeoutMs }),
        );
        emit(g, JSON.stringify(answer, null, 2) ?? "null", { ok: true, data: answer ?? null });
      },
    );
}
