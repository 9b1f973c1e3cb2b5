import { Command, Option } from "commander";
import { appArgument, kindsArgument, uidArgument } from "../arguments";
import { CliError } from "../cli-error";
import { globals, positiveInt } from "../global-options";
import { emit } from "../output";

/**
 * `nexus token`: mints a development token through the registry (POST /v1/admin/tokens).
 *
 * @example
 * ```sh
 * export NEXUS_TOKEN=$(nexus token --uid u1 --app etest --kinds default,webuo --ttl 3600)
 * nexus token --uid dev1 --app etest --pub "status/dev1,telemetry/dev1/*" --sub "commands/dev1"
 * ```
 */
export function tokenCommand(): Command {
  return new Command("token")
    .description("mint a development token (needs the admin key)")
    .addOption(new Option("--admin-key <key>", "the registry's admin key (npm start prints it)").env("NEXUS_ADMIN_KEY"))
    .requiredOption("--uid <uid>", "the token's user (sub)")
    .requiredOption("--app <app>", "the app the token belongs to")
    .option("--kinds <list>", "comma-separated kinds the token may connect as (default: any)")
    .option("--pub <patterns>", "comma-separated channels (or prefixes ending in *) it may publish on (default: any)")
    .option("--sub <patterns>", "comma-separated channels (or prefixes ending in *) it may subscribe to (default: any)")
    .option("--ttl <seconds>", "lifetime in seconds")
    .action(async (opts: TokenOptions, cmd: Command) => {
      const g = globals(cmd);
      if (!opts.adminKey)
        throw new CliError("usage", "an admin key is needed: pass --admin-key or set NEXUS_ADMIN_KEY (npm start prints it)");
      const body: Record<string, unknown> = { uid: uidArgument(opts.uid), app: appArgument(opts.app, "--app") };
      if (opts.kinds) body.kinds = kindsArgument(opts.kinds);
      // An empty list is a real capability (nothing allowed), so --pub "" is passed on as [].
      if (opts.pub !== undefined) body.pub = list(opts.pub);
      if (opts.sub !== undefined) body.sub = list(opts.sub);
      if (opts.ttl) body.ttlSeconds = positiveInt("--ttl", opts.ttl);
      const res = await fetch(new URL("/v1/admin/tokens", g.url), {
        method: "POST",
        headers: { authorization: `Bearer ${opts.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).catch((err: Error) => {
        throw new CliError("unreachable", `cannot reach ${g.url}: ${err.message}`, { cause: err });
      });
      const text = await res.text();
      const parsed = safeJson(text) as { token?: string; error?: { code?: string; message?: string } } | undefined;
      if (res.status === 401) {
        throw new CliError(
          "unauthorized",
          `the edge at ${g.url} refused the admin key from ${adminKeySource(cmd)}; npm start prints the key it uses`,
        );
      }
      if (!res.ok || !parsed?.token) {
        const code = parsed?.error?.code ?? (res.status === 401 ? "unauthorized" : res.status === 403 ? "forbidden" : "internal");
        throw new CliError(code, parsed?.error?.message ?? `the edge answered HTTP ${res.status}`);
      }
      emit(g, parsed.token, { token: parsed.token });
    });
}

interface TokenOptions {
  adminKey?: string;
  uid: string;
  app: string;
  kinds?: string;
  pub?: string;
  sub?: string;
  ttl?: string;
}

function list(text: string): string[] {
  return text
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function adminKeySource(cmd: Command): string {
  return cmd.getOptionValueSource("adminKey") === "env" ? "NEXUS_ADMIN_KEY" : "--admin-key";
}
