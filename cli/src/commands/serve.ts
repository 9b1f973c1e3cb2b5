import { type CallContext, type DirectContext, NexusError } from "@qe/nexus-sdk";
import { Command } from "commander";
import { kindArgument, methodArgument, resourceArgument } from "../arguments";
import { openClient, type Target } from "../client";
import { globals, positiveInt } from "../global-options";
import { status } from "../output";
import { progress } from "../progress";

/**
 * `nexus serve METHOD`: an echo worker for trying things. Every call of METHOD ("*" for any) is
 * answered with its own data (or, with `--error`, with an app_error); calls and Directs are printed.
 *
 * @example
 * ```sh
 * nexus serve sum --resource default1     # then: nexus call etest sum '{"a":1}'
 * ```
 */
export function serveCommand(): Command {
  return new Command("serve")
    .description('serve METHOD ("*" for every method) as an echo worker; prints each call and Direct')
    .argument("<method>", 'the method, or "*"')
    .option("--kind <kind>", "the worker kind to connect as", "default")
    .option("--resource <resource>", "an exact resource instead of a random suffix")
    .option("--error <message>", "answer every call with app_error and this message")
    .option("--count <n>", "exit after n calls and Directs")
    .action(async (method: string, opts: { kind: string; resource?: string; error?: string; count?: string }, cmd: Command) => {
      const g = globals(cmd);
      if (method !== "*") methodArgument(method);
      if (opts.resource !== undefined) resourceArgument(opts.resource, "--resource");
      else kindArgument(opts.kind);
      const count = opts.count === undefined ? undefined : positiveInt("--count", opts.count);
      const target: Target = opts.resource ? { resource: opts.resource } : { kind: opts.kind };
      const nx = await openClient(g, target, { reconnect: true });
      const bar = count === undefined ? undefined : progress(count, "requests");
      let handled = 0;
      try {
        await new Promise<void>((resolve, reject) => {
          const finish = () => resolve();
          process.once("SIGINT", finish);
          process.once("SIGTERM", finish);
          const seen = (line: string, json: Record<string, unknown>) => {
            handled++;
            const text = g.json ? JSON.stringify(json) : line;
            if (bar) {
              bar.line(text);
              bar.update(handled);
            } else process.stdout.write(`${text}\n`);
            // Let the answer go out before the socket closes.
            if (count !== undefined && handled >= count) setImmediate(finish);
          };
          nx.onDirect((text: string, ctx: DirectContext) => {
            seen(`direct from ${ctx.from.jid}: ${text}`, { event: "direct", from: ctx.from, text });
          });
          nx.serve(method, (data: unknown, ctx: CallContext) => {
            seen(`call ${ctx.method} from ${ctx.from.jid}: ${JSON.stringify(data)}`, {
              event: "call",
              method: ctx.method,
              from: ctx.from,
              data,
            });
            if (opts.error !== undefined) throw new NexusError("app_error", opts.error);
            return data;
          }).then(() => {
            status(`serving ${method} as ${nx.jid}`);
            if (g.json)
              process.stdout.write(`${JSON.stringify({ event: "ready", jid: nx.jid, resource: nx.identity?.resource })}\n`);
          }, reject);
        });
      } finally {
        bar?.stop();
        await nx.close();
      }
    });
}
