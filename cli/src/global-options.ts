import { type Command, Option } from "commander";
import { CliError } from "./cli-error";

/** The options every command shares. */
export interface GlobalOptions {
  /** The edge's base URL (http(s)://host:port). */
  url: string;
  token?: string;
  /** Machine-readable output: one JSON document (or one JSON line per event) on stdout. */
  json: boolean;
}

/** The default edge: `npm start` on this machine. */
export const DEFAULT_URL = "http://127.0.0.1:8787";

/**
 * Adds `--url`, `--token` and `--json` to the root command, with their environment fallbacks.
 *
 * @example
 * ```ts
 * addGlobalOptions(new Command("nexus"));
 * ```
 */
export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(new Option("--url <url>", "the edge's base URL").env("NEXUS_URL").default(DEFAULT_URL))
    .addOption(new Option("--token <jwt>", "the token to connect with").env("NEXUS_TOKEN"))
    .addOption(new Option("--json", "machine-readable output on stdout").default(false));
}

/**
 * The global options as a command sees them.
 *
 * @example
 * ```ts
 * const { url, json } = globals(cmd);
 * ```
 */
export function globals(command: Command): GlobalOptions {
  const g = command.optsWithGlobals() as GlobalOptions;
  // An empty variable (NEXUS_URL= in a script or .env) means "not set", as for most tools.
  if (!g.url) g.url = DEFAULT_URL;
  if (!g.token) g.token = undefined;
  return g;
}

/**
 * The token, or a usage error that says where to put it.
 *
 * @example
 * ```ts
 * const token = requireToken(globals(cmd));
 * ```
 */
export function requireToken(g: GlobalOptions): string {
  if (!g.token) throw new CliError("usage", "a token is needed: pass --token or set NEXUS_TOKEN (mint one with `nexus token`)");
  return g.token;
}

/**
 * Parses a positive integer option, or fails with a usage error naming it.
 *
 * @example
 * ```ts
 * positiveInt("--count", "5"); // 5
 * ```
 */
export function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliError("usage", `${name} must be a positive integer, got "${value}"`);
  return n;
}
