import { connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { runCli, startCli, stopCli } from "./cli-process";

let s: TestStack;
let publisher: NexusClient;
let env: Record<string, string>;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("cli-sub", "subowner");
  const token = await s.token({ uid: "subowner", app: "cli-sub" });
  env = { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: token };
  publisher = await connect({ url: s.httpUrl, token, kind: "default" });
});

afterAll(async () => {
  await publisher?.close();
  await s?.stop();
});

describe("nexus sub", () => {
  it("prints the retained value first, then live messages, and exits 0 after --count", async () => {
    await publisher.publish("cli.sub.retained", "before", { retain: true, ack: true });
    const sub = startCli(["sub", "cli.sub.retained", "--count", "2", "--json"], env);
    try {
      await sub.waitFor("stderr", /subscribed to cli\.sub\.retained/);
      await publisher.publish("cli.sub.retained", "live", { ack: true });
      const r = await sub.done;
      expect(r.code).toBe(0);
      const lines = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((m) => [m.text, m.retained])).toEqual([
        ["before", true],
        ["live", false],
      ]);
      expect(lines[1].seq).toBe(lines[0].seq + 1);
      expect(lines[1].from.jid).toBe(publisher.jid);
    } finally {
      await stopCli(sub);
    }
  });

  it("prints one human line per message", async () => {
    const sub = startCli(["sub", "cli.sub.human", "--count", "1"], env);
    try {
      await sub.waitFor("stderr", /subscribed/);
      await publisher.publish("cli.sub.human", "hello there", { ack: true });
      const r = await sub.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^#\d+ cli\.sub\.human \S+: hello there\n$/);
    } finally {
      await stopCli(sub);
    }
  });

  it("exits 3 when --count messages do not arrive within --timeout", async () => {
    const r = await runCli(["sub", "cli.sub.quiet", "--count", "1", "--timeout", "500"], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("timeout");
  });

  it("exits 8 on a refused token and 2 on a bad --count", async () => {
    expect((await runCli(["sub", "cli.sub.x", "--count", "1"], { ...env, NEXUS_TOKEN: "bad" })).code).toBe(8);
    expect((await runCli(["sub", "cli.sub.x", "--count", "zero"], env)).code).toBe(2);
  });

  it("exits 2 on a malformed channel name", async () => {
    const r = await runCli(["sub", "a channel?", "--count", "1"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CHANNEL "a channel?" is not a channel name');
  });
});
