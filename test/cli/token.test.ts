import { connect } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { runCli } from "./cli-process";

let s: TestStack;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("cli-token", "tokenowner");
});

afterAll(() => s?.stop());

describe("nexus token", () => {
  it("mints a token that connects as the given uid and app, and only as the given kinds", async () => {
    const r = await runCli(
      ["token", "--admin-key", s.adminKey, "--uid", "tokenowner", "--app", "cli-token", "--kinds", "default", "--ttl", "60"],
      { NEXUS_URL: s.httpUrl },
    );
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    const nx = await connect({ url: s.httpUrl, token, kind: "default", reconnect: false });
    expect(nx.identity).toMatchObject({ uid: "tokenowner", app: "cli-token", role: "owner", kind: "default" });
    await nx.close();
    const refused = await connect({ url: s.httpUrl, token, kind: "webuo", reconnect: false }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "forbidden" });
  });

  it("reads the admin key from NEXUS_ADMIN_KEY and prints {token} with --json", async () => {
    const r = await runCli(["token", "--uid", "u2", "--app", "cli-token", "--json"], {
      NEXUS_URL: s.httpUrl,
      NEXUS_ADMIN_KEY: s.adminKey,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("exits 8 on a wrong admin key and 2 without one", async () => {
    const wrong = await runCli(["token", "--admin-key", "wrong", "--uid", "u", "--app", "cli-token"], { NEXUS_URL: s.httpUrl });
    expect(wrong.code).toBe(8);
    expect(wrong.stderr).toContain("unauthorized");
    const missing = await runCli(["token", "--uid", "u", "--app", "cli-token"], { NEXUS_URL: s.httpUrl });
    expect(missing.code).toBe(2);
  });
});
