import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BridgeProcess, startBridgeProcess } from "../bridge/bridge-process";
import { type NpmStart, runtimesOf, startNpm, startProcessOf } from "../support/npm-start";
import { FaultClient, type Lang } from "./support/fault-client";
import { FaultDevice } from "./support/fault-device";
import { buildGoClient, pythonWithSdk } from "./support/toolchains";

// The edge's runtime (workerd) killed with SIGKILL under connected SDK clients (TypeScript, Python,
// Go, each its own process) and MQTT devices (through a bridge process), then started again by
// `npm start`'s supervisor on the same port and data directory. Issue 18's budget: every client back,
// with its served methods and subscriptions, within 10 s of the edge being back; no channel message
// lost to a subscriber that stayed subscribed, none twice, none out of order.
const RESTORE_BUDGET_MS = 10_000;
const APP = "fkill";
const CHANNEL = "fkill/numbers";
const LANGS: Lang[] = ["ts", "py", "go"];

let npm: NpmStart;
let dataDir: string;
let url: string;
let adminKey: string;
let bridge: BridgeProcess;
let publisher: NexusClient;
let goBinary: string;
const clients: FaultClient[] = [];
const devices: FaultDevice[] = [];

async function admin(method: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
const token = async () => ((await admin("POST", "/v1/admin/tokens", { uid: "owner", app: APP })) as { token: string }).token;

beforeAll(async () => {
  // Toolchains first (a fresh clone has no venv yet: vitest runs before test:python), then the stack.
  const python = pythonWithSdk();
  goBinary = buildGoClient();
  dataDir = mkdtempSync(join(tmpdir(), "nexus-fault-kill-"));
  npm = startNpm({ NEXUS_PORT: "0", NEXUS_MQTT_PORT: "0", NEXUS_DATA_DIR: dataDir });
  const [, port] = await npm.waitFor("stdout", /^ {2}console {6}http:\/\/127\.0\.0\.1:(\d+)\/$/m);
  [, adminKey] = (await npm.waitFor("stdout", /admin key {4}(\S+)/)) as [string, string];
  url = `http://127.0.0.1:${port}`;
  await admin("PUT", `/v1/admin/apps/${APP}`, { owner: "owner" });
  bridge = await startBridgeProcess(url);
  for (const lang of LANGS) {
    clients.push(FaultClient.start(lang, { url, token: await token(), method: "who", channel: CHANNEL }, { python, goBinary }));
  }
  for (const [i, version] of ([4, 5] as const).entries()) {
    devices.push(
      await FaultDevice.connect({
        port: bridge.port,
        token: await token(),
        username: `devicekill${i}`,
        version,
        method: "who",
        channel: CHANNEL,
      }),
    );
  }
  await Promise.all(clients.map((c) => c.ready));
  // The publisher is on the other side of the outage: it reconnects fast and publishes while the
  // others are still away, so what they miss is recovered from the channel's history.
  publisher = await connect({ url, token: await token(), kind: "webuo", reconnect: { initialDelayMs: 50, maxDelayMs: 100 } });
}, 300_000);

afterAll(async () => {
  await publisher?.close();
  await Promise.all(clients.map((c) => c.kill()));
  await Promise.all(devices.map((d) => d.end().catch(() => {})));
  await bridge?.stop("SIGKILL");
  await npm?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (goBinary) rmSync(dirname(goBinary), { recursive: true, force: true });
});

/** Publishes "1", "2", ... one after another (each acked) until stopped; remembers which were acked. */
function publishNumbers() {
  const acked: number[] = [];
  const ackedAt: number[] = [];
  let stopped = false;
  const running = (async () => {
    for (let n = 1; !stopped; n++) {
      try {
        await publisher.publish(CHANNEL, String(n), { ack: true });
        acked.push(n);
        ackedAt.push(performance.now());
      } catch {
        // In flight when the edge died: it may or may not have been kept (at most once).
      }
      // Paced, so that an outage's backlog stays well inside the history's 256 messages.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    acked,
    /** How many were acked after `from` and before `to` (`performance.now()` times). */
    ackedBetween: (from: number, to: number) => ackedAt.filter((at) => at > from && at < to).length,
    last: () => acked[acked.length - 1] ?? 0,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

function numbersOf(texts: string[]): number[] {
  return texts.map(Number).filter((n) => Number.isInteger(n));
}

describe("the edge's workerd killed with SIGKILL under connected clients", () => {
  it("brings every client back with what it serves and subscribes within 10 s, and loses no channel message", {
    timeout: 240_000,
  }, async () => {
    const numbers = publishNumbers();
    const subscribers = [
      ...clients.map((c) => ({ name: c.lang, got: () => numbersOf(c.messages().map((m) => m.text)) })),
      ...devices.map((d, i) => ({ name: `device${i}`, got: () => numbersOf(d.messages()) })),
    ];
    const waitForAll = async (n: number) => {
      await Promise.all([
        ...clients.map((c) => c.next((e) => e.event === "msg" && Number(e.text) >= n, `message ${n}`)),
        ...devices.map((d) => d.next((e) => e.event === "msg" && Number(e.text) >= n, `message ${n}`)),
      ]);
    };
    await waitForAll(20);

    const eventsAtKill = clients.map((c) => c.events.length);
    const bridgeAtKill = bridge.records.length;
    const node = startProcessOf(npm);
    const runtimes = runtimesOf(node.pid);
    expect(runtimes.length).toBeGreaterThan(0);
    const killedAt = performance.now();
    for (const runtime of runtimes) process.kill(runtime.pid, "SIGKILL");
    await npm.waitFor("stdout", /exited and \/healthz does not answer; restarting the edge/);
    await npm.waitFor("stdout", /the edge is back at /);
    const backAt = performance.now();

    // Back: each SDK client reports connected (welcomed and everything restored); each device's edge
    // session in the bridge logs edge.restored.
    const restored = await Promise.all(
      clients.map((c, i) => c.next((e) => e.event === "state" && e.state === "connected", "connected again", eventsAtKill[i])),
    );
    const deviceJids = devices.map((d) => `${APP}-owner-owner@qepal.com/${d.client.options.username}`);
    const sessions = await Promise.all(
      deviceJids.map((jid) =>
        bridge.next((r) => r.event === "edge.restored" && r.jid === jid, `edge.restored of ${jid}`, bridgeAtKill),
      ),
    );
    const backTimes = [
      ...restored.map((e, i) => [LANGS[i]!, e.at] as const),
      ...sessions.map((index, i) => [`device${i}`, bridge.readAt[index]!] as const),
    ];

    // What they serve answers (the publisher is the caller), from each client's own resource.
    const resources = await Promise.all(clients.map(async (c) => (await c.ready).resource as string));
    for (const [i, resource] of resources.entries()) {
      expect(await publisher.api(APP, "who", i, { resource })).toEqual({ by: LANGS[i], data: i });
    }
    for (const [i, d] of devices.entries()) {
      expect(await publisher.api(APP, "who", i, { resource: d.client.options.username! })).toEqual({ by: "device", data: i });
    }

    // Keep publishing a little after everyone is back, then check every subscriber's numbers.
    const lastBefore = numbers.last();
    await waitForAll(lastBefore + 20);
    await numbers.stop();
    const last = numbers.last();
    await waitForAll(last);
    const outcome = subscribers.map((s) => {
      const got = s.got();
      return {
        subscriber: s.name,
        missing: numbers.acked.filter((n) => !got.includes(n)),
        // Strictly increasing: nothing twice, nothing out of order.
        disordered: got.filter((n, i) => i > 0 && n <= got[i - 1]!),
      };
    });
    // Published (and acked) while a subscriber was away: it can only have them from the history.
    const fromHistory = backTimes.map(([name, at]) => `${name} ${numbers.ackedBetween(killedAt, at)}`).join(", ");
    const fromBack = backTimes.map(([name, at]) => `${name} ${((at - backAt) / 1000).toFixed(2)} s`).join(", ");
    const latest = Math.max(...backTimes.map(([, at]) => at));
    console.log(
      `[faults] edge SIGKILL: the edge was back ${((backAt - killedAt) / 1000).toFixed(2)} s after the kill; ` +
        `clients restored after the edge was back: ${fromBack}; all ${((latest - killedAt) / 1000).toFixed(2)} s after the kill; ` +
        `${numbers.acked.length} numbered messages acked, of which published while away (recovered from history): ${fromHistory}; at the ${subscribers.length} subscribers: ${JSON.stringify(outcome)}`,
    );
    expect(outcome).toEqual(subscribers.map((s) => ({ subscriber: s.name, missing: [], disordered: [] })));
    // Each SDK says its subscription recovered (exactly one report each).
    for (const c of clients) {
      expect(
        c.events.filter((e) => e.event === "resubscribed").map((e) => e.recovered),
        c.lang,
      ).toEqual([true]);
    }
    for (const [name, at] of backTimes) {
      expect({ name, msAfterEdgeBack: at - backAt < RESTORE_BUDGET_MS }).toEqual({ name, msAfterEdgeBack: true });
    }
  });
});
