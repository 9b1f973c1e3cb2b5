import type { ChannelMessage } from "@qe/nexus-sdk";
import { Command } from "commander";
import { channelArgument, kindArgument } from "../arguments";
import { CliError } from "../cli-error";
import { openClient } from "../client";
import { globals, positiveInt } from "../global-options";
import { status } from "../output";
import { progress } from "../progress";

/**
 * One channel message as `sub` prints it.
 *
 * @example
 * ```ts
 * formatMessage(m); // "#17 prices etest-u1-owner@qepal.com/default7Hx: 42"
 * ```
 */
export function formatMessage(m: ChannelMessage): string {
  return `#${m.seq}${m.retained ? " (retained)" : ""} ${m.channel} ${m.from.jid}: ${m.text}`;
}

/**
 * `nexus sub CHANNEL`: prints messages until interrupted, or until `--count` have arrived.
 * "subscribed to CHANNEL" on stderr says the subscription is in force.
 *
 * @example
 * ```sh
 * nexus sub prices --count 10 --timeout 30000 --json
 * ```
 */
export function subCommand(): Command {
  return new Command("sub")
    .description("print messages of CHANNEL (the retained value first) until Ctrl-C or --count")
    .argument("<channel>", "channel name")
    .option("--count <n>", "exit after n messages")
    .option("--timeout <ms>", "fail with exit code 3 unless --count messages arrive within ms")
    .option("--kind <kind>", "the kind to connect as", "webuo")
    .action(async (channel: string, opts: { count?: string; timeout?: string; kind: string }, cmd: Command) => {
      const g = globals(cmd);
      channelArgument(channel);
      kindArgument(opts.kind);
      const count = opts.count === undefined ? undefined : positiveInt("--count", opts.count);
      const timeoutMs = opts.timeout === undefined ? undefined : positiveInt("--timeout", opts.timeout);
      const nx = await openClient(g, { kind: opts.kind }, { reconnect: true });
      const bar = count === undefined ? undefined : progress(count, "messages");
      let received = 0;
      try {
        await new Promise<void>((resolve, reject) => {
          const timer =
            timeoutMs === undefined
              ? undefined
              : setTimeout(
                  () => reject(new CliError("timeout", `${received} of ${count ?? "?"} messages within ${timeoutMs} ms`)),
                  timeoutMs,
                );
          const finish = () => {
            clearTimeout(timer);
            resolve();
          };
          process.once("SIGINT", finish);
          process.once("SIGTERM", finish);
          nx.subscribe(channel, (_text, m) => {
            if (count !== undefined && received >= count) return;
            received++;
            const line = g.json
              ? JSON.stringify({ channel: m.channel, seq: m.seq, text: m.text, retained: m.retained, from: m.from })
              : formatMessage(m);
            if (bar) {
              bar.line(line);
              bar.update(received);
            } else process.stdout.write(`${line}\n`);
            if (count !== undefined && received >= count) finish();
          }).then(() => status(`subscribed to ${channel}`), reject);
        });
      } finally {
        bar?.stop();
        await nx.close();
      }
    });
}
