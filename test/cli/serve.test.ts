import { connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { startCli, stopCli } from "./cli-process";

let s: TestStack;
let caller: NexusClient;
let env: Record<string, string>;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("cli-serve", "serveowner");
  const token = await s.token({ uid: "serveowner", app: "cli-serve" });
  env = { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: token };
  caller = await connect({ url: s.httpUrl, token, kind: "webuo" });
});

afterAll(async () => {
  await caller?.close();
  await s?.stop();
});

describe("nexus serve", () => {
  it("echoes calls, prints calls and Directs, and exits 0 on SIGTERM", async () => {
    const worker = startCli(["serve", "echo", "--json"], env);
    try {
      const [ready] = await worker.waitFor("stdout", /\{"event":"ready".*\}\n/);
      const { resource, jid } = JSON.parse(ready);
      expect(jid).toContain("cli-serve-serveowner-owner@");
      expect(await caller.api("cli-serve", "echo", { x: [1, 2] })).toEqual({ x: [1, 2] });
      await caller.direct("cli-serve", resource, "ping!", { ack: true });
      await worker.waitFor("stdout", /"event":"direct"/);
      worker.child.kill("SIGTERM");
      const r = await worker.done;
      expect(r.code).toBe(0);
      const events = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(events.map((e) => e.event)).toEqual(["ready", "call", "direct"]);
      expect(events[1]).toMatchObject({ method: "echo", data: { x: [1, 2] }, from: { jid: caller.jid } });
      expect(events[2]).toMatchObject({ text: "ping!", from: { jid: caller.jid } });
    } finally {
      await stopCli(worker);
    }
  });

  it("serves an exact resource, answers app_error with --error, and exits after --count", async () => {
    const worker = startCli(["serve", "*", "--resource", "defaultCli1", "--error", "broken on purpose", "--count", "1"], env);
    try {
      await worker.waitFor("stderr", /serving \* as \S+\/defaultCli1/);
      const err = await caller.api("cli-serve", "anything", 1, { resource: "defaultCli1" }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: "NexusError", code: "app_error", message: "broken on purpose" });
      const r = await worker.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^call anything from \S+: 1\n$/);
    } finally {
      await stopCli(worker);
    }
  });

  it("exits 2 on a bad --count", async () => {
    const worker = startCli(["serve", "echo", "--count", "-1"], env);
    expect((await worker.done).code).toBe(2);
  });
});
