import { Command } from "commander";
import { channelArgument, kindArgument } from "../arguments";
import { withClient } from "../client";
import { globals } from "../global-options";
import { emit } from "../output";

/**
 * `nexus pub CHANNEL TEXT [--retain]`: publishes one message and waits for the server's ack.
 *
 * @example
 * ```sh
 * nexus pub device/42/online 1 --retain
 * ```
 */
export function pubCommand(): Command {
  return new Command("pub")
    .description("publish TEXT to CHANNEL (waits for the server's ack)")
    .argument("<channel>", "channel name")
    .argument("<text>", "the message (a string)")
    .option("--retain", "keep it as the channel's last value (an empty TEXT clears it)", false)
    .option("--kind <kind>", "the kind to connect as", "webuo")
    .action(async (channel: string, text: string, opts: { retain: boolean; kind: string }, cmd: Command) => {
      const g = globals(cmd);
      channelArgument(channel);
      kindArgument(opts.kind);
      await withClient(g, { kind: opts.kind }, (nx) => nx.publish(channel, text, { retain: opts.retain, ack: true }));
      emit(g, `published to ${channel}${opts.retain ? " (retained)" : ""}`, { ok: true, channel, retain: opts.retain });
    });
}
