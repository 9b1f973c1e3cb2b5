// A TypeScript SDK client for the fault tests (test/faults/support/fault-client.ts): serves FAULT_METHOD,
// subscribes FAULT_CHANNEL, prints what happens as JSON lines and publishes what stdin asks for.

import { createInterface } from "node:readline";
import { connect, isNexusError } from "@qe/nexus-sdk";

const env = process.env;
const out = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const nx = await connect({ url: env.NEXUS_URL!, token: env.NEXUS_TOKEN!, kind: env.FAULT_KIND || "default" });
nx.on("state", (state) => out({ event: "state", state }));
if (env.FAULT_METHOD) {
  await nx.serve(env.FAULT_METHOD, (data) => {
    if (data !== "hang") return { by: "ts", data };
    out({ event: "call" });
    return new Promise(() => {}); // never answered: the test kills this process mid-call
  });
}
if (env.FAULT_CHANNEL) {
  const sub = await nx.subscribe(env.FAULT_CHANNEL, (text, m) => {
    out({ event: "msg", seq: m.seq, text, retained: m.retained });
  });
  sub.on("resubscribed", (e) => out({ event: "resubscribed", recovered: e.recovered }));
}
out({ event: "ready", jid: nx.jid, resource: nx.identity?.resource });

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { cmd: string; channel?: string; text?: string };
  if (command.cmd === "exit") break;
  if (command.cmd === "publish") {
    try {
      await nx.publish(command.channel!, command.text!, { ack: true });
      out({ event: "published", text: command.text });
    } catch (err) {
      out({ event: "publish_failed", text: command.text, code: isNexusError(err) ? err.code : String(err) });
    }
  }
}
await nx.close();
