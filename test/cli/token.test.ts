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

  it("exits 8 on a wrong admin key, saying the key was refused and where it came from", async () => {
    const wrong = await runCli(["token", "--admin-key", "wrong", "--uid", "u", "--app", "cli-token"], { NEXUS_URL: s.httpUrl });
    expect(wrong.code).toBe(8);
    expect(wrong.stderr).toContain(`unauthorized: the edge at ${s.httpUrl} refused the admin key from --admin-key`);
    expect(wrong.stderr).not.toContain("required");
    const fromEnv = await runCli(["token", "--uid", "u", "--app", "cli-token"], {
      NEXUS_URL: s.httpUrl,
      NEXUS_ADMIN_KEY: "wrong",
    });
    expect(fromEnv.code).toBe(8);
    expect(fromEnv.stderr).toContain("refused the admin key from NEXUS_ADMIN_KEY");
  });

  it("exits 2 without an admin key, naming NEXUS_ADMIN_KEY", async () => {
    const missing = await runCli(["token", "--uid", "u", "--app", "cli-token"], { NEXUS_URL: s.httpUrl });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "nexus: usage: an admin key is needed: pass --admin-key or set NEXUS_ADMIN_KEY (npm start prints it)\n",
    );
  });

  it("exits 2 on an unknown kind, naming it and listing the kinds", async () => {
    const r = await runCli(["token", "--admin-key", s.adminKey, "--uid", "u", "--app", "cli-token", "--kinds", "default,bogus"], {
      NEXUS_URL: s.httpUrl,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--kinds: unknown kind "bogus"; kinds: uservice,');
    expect(r.stderr).not.toContain("array");
  });

  it("takes an empty NEXUS_URL as unset (the default edge), not as an invalid url", async () => {
    const r = await runCli(["token", "--admin-key", "k", "--uid", "u", "--app", "cli-token"], { NEXUS_URL: "" });
    expect(r.stderr).not.toContain("invalid url");
    expect(r.stderr).toContain("http://127.0.0.1:8787");
  });
});
