import { connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { runCli } from "./cli-process";

let s: TestStack;
let worker: NexusClient;
let env: Record<string, string>;
let strangerEnv: Record<string, string>;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("cli-find", "findowner");
  const token = await s.token({ uid: "findowner", app: "cli-find" });
  env = { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: token };
  strangerEnv = { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: await s.token({ uid: "finduser", app: "cli-find" }) };
  worker = await connect({ url: s.httpUrl, token, kind: "default" });
});

afterAll(async () => {
  await worker?.close();
  await s?.stop();
});

describe("nexus find", () => {
  it("lists the caller's online blocks, without its own", async () => {
    const r = await runCli(["find", "--json"], env);
    expect(r.code).toBe(0);
    const { ok, blocks } = JSON.parse(r.stdout);
    expect(ok).toBe(true);
    expect(blocks.map((b: { jid: string }) => b.jid)).toEqual([worker.jid]);
  });

  it("prints a table in human mode and filters by kind", async () => {
    const r = await runCli(["find", "--app", "cli-find", "--kind", "default"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^JID\s+KIND\s+ONLINE SINCE\s+METHODS\n/);
    expect(r.stdout).toContain(worker.jid);
    const none = await runCli(["find", "--kind", "webxo"], env);
    expect(none.stdout).toBe("no blocks online\n");
  });

  it("shows the whole app to its owner with --scope app, and exits 5 for anyone else", async () => {
    const owner = await runCli(["find", "--scope", "app", "--app", "cli-find", "--json"], env);
    expect(owner.code).toBe(0);
    expect(JSON.parse(owner.stdout).blocks.map((b: { jid: string }) => b.jid)).toContain(worker.jid);
    const stranger = await runCli(["find", "--scope", "app", "--app", "cli-find"], strangerEnv);
    expect(stranger.code).toBe(5);
  });

  it("exits 2 on an unknown --scope", async () => {
    expect((await runCli(["find", "--scope", "world"], env)).code).toBe(2);
  });
});
