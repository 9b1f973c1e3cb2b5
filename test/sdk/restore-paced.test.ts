import { connect, type NexusClient, NexusError } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitState } from "../../sdk/src/testing/wait";
import { CuttableProxy } from "../support/cuttable-proxy";
import { startStack, type TestStack } from "../support/stack";
import { SdkClients } from "./sdk-stack";

// The edge paces joins of channels new to an app (per user: a burst, then a rate, refusing with
// rate_limited what would wait too long). A client with more subscriptions than that lets through
// at once comes back from a reconnect: the SDK tries the refused resubscribes again, with backoff,
// until every subscription flows again, and with since/epoch, so nothing published meanwhile is lost.

const APP = "sdkpaced";
const CHANNELS = 10;

let s: TestStack;
let clients: SdkClients;
let proxy: CuttableProxy;
let reader: NexusClient | undefined;

beforeAll(async () => {
  // 4 at once, then 4 per second, none waiting more than 300 ms: a restore of 10 is partly refused.
  s = await startStack({
    vars: { NEXUS_NEW_CHANNELS_PER_SEC: "4", NEXUS_NEW_CHANNELS_BURST: "4", NEXUS_NEW_CHANNEL_MAX_WAIT_MS: "300" },
  });
  clients = new SdkClients(s);
  proxy = await CuttableProxy.start(new URL(s.httpUrl));
  await s.createApp(APP, "owner1");
});

afterAll(async () => {
  await reader?.close();
  await clients?.closeAll();
  await proxy?.stop();
  await s?.stop();
});

describe("resubscribing more channels than the edge's join pacing lets through at once", () => {
  it("tries the refused ones again until every subscription gets what was published, once", async () => {
    const token = await s.token({ uid: "owner1", app: APP });
    reader = await connect({ url: proxy.url, token, kind: "webuo", reconnect: { initialDelayMs: 100, maxDelayMs: 500 } });
    const refusals: string[] = [];
    reader.on("error", (err) => {
      if (err instanceof NexusError) refusals.push(err.code);
    });
    const names = Array.from({ length: CHANNELS }, (_, i) => `paced/${i}`);
    const got = new Map<string, string[]>(names.map((c) => [c, []]));
    const arrived = new Map<string, () => void>();
    const all = names.map((c) => new Promise<void>((resolve) => arrived.set(c, resolve)));
    // One after another, so that the first subscribes wait their turn instead of being refused.
    for (const c of names) {
      await reader.subscribe(c, (text) => {
        got.get(c)!.push(text);
        if (text === "after") arrived.get(c)!();
      });
    }

    proxy.hold();
    const dropped = waitState(reader, "disconnected");
    proxy.cut();
    await dropped;
    proxy.release();
    await waitState(reader, "connected");

    const publisher = await clients.open({ uid: "owner1", app: APP }, { kind: "default" });
    for (const c of names) await publisher.publish(c, "after", { ack: true });
    await Promise.all(all);

    // The pacing did refuse some resubscribes (else this test would not test the retry) ...
    expect(refusals).toContain("rate_limited");
    // ... and each subscription got the message once, by a retried resubscribe (recovered) or live.
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(names.map((c) => [c, ["after"]])));
  });
});
