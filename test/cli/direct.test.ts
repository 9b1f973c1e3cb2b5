import { connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { runCli } from "./cli-process";

let s: TestStack;
let worker: NexusClient;
let env: Record<string, string>;
const received: { text: string; kind: string; uid: string }[] = [];
let onReceived: (() => void) | undefined;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("cli-direct", "directowner");
  await s.createApp("cli-direct-other", "outsider");
  const token = await s.token({ uid: "directowner", app: "cli-direct" });
  env = { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: token };
  worker = await connect({ url: s.httpUrl, token, resource: "defaultDirect1" });
  worker.onDirect((text, ctx) => {
    received.push({ text, kind: ctx.from.kind, uid: ctx.from.uid });
    onReceived?.();
  });
});

afterAll(async () => {
  await worker?.close();
  await s?.stop();
});

describe("nexus direct", () => {
  it("delivers TEXT to the worker and exits 0 once the server acks", async () => {
    const arrived = new Promise<void>((resolve) => {
      onReceived = resolve;
    });
    const r = await runCli(["direct", "cli-direct", "defaultDirect1", "reboot"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("sent to cli-direct/defaultDirect1\n");
    await arrived;
    expect(received).toEqual([{ text: "reboot", kind: "webuo", uid: "directowner" }]);
  });

  it("exits 7 when the worker is offline", async () => {
    const r = await runCli(["direct", "cli-direct", "defaultNobody", "x", "--json"], env);
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "offline" } });
  });

  it("exits 5 without a grant and 6 for an unknown app", async () => {
    const outsider = { ...env, NEXUS_TOKEN: await s.token({ uid: "outsider", app: "cli-direct-other" }) };
    expect((await runCli(["direct", "cli-direct", "defaultDirect1", "x"], outsider)).code).toBe(5);
    expect((await runCli(["direct", "cli-direct-nope", "defaultDirect1", "x"], env)).code).toBe(6);
  });
});
