import type { BlockInfo } from "@qe/nexus-sdk";
import { Command, Option } from "commander";
import { appArgument, kindArgument } from "../arguments";
import { withClient } from "../client";
import { globals } from "../global-options";
import { emit } from "../output";

/**
 * Renders blocks as an aligned table (JID, kind, online since).
 *
 * @example
 * ```ts
 * formatBlocks([]); // "no blocks online"
 * ```
 */
export function formatBlocks(blocks: readonly BlockInfo[]): string {
  if (blocks.length === 0) return "no blocks online";
  const width = Math.max(3, ...blocks.map((b) => b.jid.length));
  const kindWidth = Math.max(4, ...blocks.map((b) => b.kind.length));
  // Workers list what they serve (Find's `methods`); frontends have none.
  const served = (b: BlockInfo) => {
    const methods = (b as { methods?: readonly string[] }).methods;
    return methods === undefined ? "" : `  ${methods.length === 0 ? "-" : methods.join(",")}`;
  };
  const withMethods = blocks.some((b) => served(b) !== "");
  const rows = blocks.map((b) =>
    `${b.jid.padEnd(width)}  ${b.kind.padEnd(kindWidth)}  ${new Date(b.since).toISOString()}${served(b)}`.trimEnd(),
  );
  const header = `${"JID".padEnd(width)}  ${"KIND".padEnd(kindWidth)}  ONLINE SINCE${withMethods ? "                METHODS" : ""}`;
  return [header, ...rows].join("\n");
}

/**
 * `nexus find`: lists online blocks (your own uid's by default; `--scope app` for an app you own).
 *
 * @example
 * ```sh
 * nexus find --app etest --kind default --scope app
 * ```
 */
export function findCommand(): Command {
  return new Command("find")
    .description("list online blocks: your uid's, or with --scope app every block of an app you own")
    .option("--app <app>", "only this app")
    .option("--kind <kind>", "only this kind")
    .addOption(new Option("--scope <scope>", "app: every block of the app (owner only)").choices(["app"]))
    .option("--as <kind>", "the kind to connect as", "webuo")
    .action(async (opts: { app?: string; kind?: string; scope?: "app"; as: string }, cmd: Command) => {
      const g = globals(cmd);
      if (opts.app !== undefined) appArgument(opts.app);
      if (opts.kind !== undefined) kindArgument(opts.kind);
      kindArgument(opts.as, "--as");
      const query = { app: opts.app, kind: opts.kind, scope: opts.scope };
      // The CLI's own short-lived block is online too; it is noise in the answer.
      const blocks = await withClient(g, { kind: opts.as }, async (nx) =>
        (await nx.find(stripUndefined(query))).filter((b) => b.jid !== nx.jid),
      );
      emit(g, formatBlocks(blocks), { ok: true, blocks });
    });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
