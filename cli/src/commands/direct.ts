import { Command } from "commander";
import { appArgument, kindArgument, resourceArgument, uidArgument } from "../arguments";
import { withClient } from "../client";
import { globals } from "../global-options";
import { emit } from "../output";

/**
 * `nexus direct APP RESOURCE TEXT`: sends a one-way string to one worker. It asks for the server's
 * ack, so an offline or forbidden target fails with its exit code (`--no-ack` fires and forgets).
 *
 * @example
 * ```sh
 * nexus direct etest default7Hx reboot
 * ```
 */
export function directCommand(): Command {
  return new Command("direct")
    .description("send TEXT to the worker RESOURCE of APP (a Direct)")
    .argument("<app>", "the worker's app")
    .argument("<resource>", "the worker's resource, e.g. default7Hx")
    .argument("<text>", "the message (a string)")
    .option("--uid <uid>", "the uid of a user-role worker")
    .option("--no-ack", "do not wait for the server's confirmation")
    .option("--kind <kind>", "the kind to connect as", "webuo")
    .action(
      async (app: string, resource: string, text: string, opts: { uid?: string; ack: boolean; kind: string }, cmd: Command) => {
        const g = globals(cmd);
        appArgument(app);
        resourceArgument(resource);
        if (opts.uid !== undefined) uidArgument(opts.uid);
        kindArgument(opts.kind);
        await withClient(g, { kind: opts.kind }, (nx) => nx.direct(app, resource, text, { uid: opts.uid, ack: opts.ack }));
        emit(g, `sent to ${app}/${resource}`, { ok: true, app, resource, acked: opts.ack });
      },
    );
}
