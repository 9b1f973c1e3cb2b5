import { createServer } from "node:net";
import { connect, type NexusClient, NexusError } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { runCli } from "./cli-process";

let s: TestStack;
let worker: NexusClient;
let env: Record<string, string>;
let strangerEnv: Record<string, string>;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("cli-call", "callowner");
  await s.createApp("cli-call-other", "stranger");
  const ownerToken = await s.token({ uid: "callowner", app: "cli-call" });
  env = { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: ownerToken };
  strangerEnv = { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: await s.token({ uid: "stranger", app: "cli-call-other" }) };
  worker = await connect({ url: s.httpUrl, token: ownerToken, kind: "default" });
  await worker.serve("sum", ({ a, b }: { a: number; b: number }) => ({ sum: a + b }));
  await worker.serve("fail", () => {
    throw new NexusError("app_error", "the worker says no");
  });
  await worker.serve("picky", () => {
    throw new NexusError("bad_request", "a and b must be numbers");
  });
  // Never answers: the caller's timeout decides.
  await worker.serve("hang", () => new Promise(() => {}));
});

afterAll(async () => {
  await worker?.close();
  await s?.stop();
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("nexus call", () => {
  it("prints the answer's data and exits 0", async () => {
    const r = await runCli(["call", "cli-call", "sum", '{"a":1,"b":2}'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ sum: 3 });
  });

  it("prints {ok, data} with --json, and takes flags after the arguments", async () => {
    const r = await runCli(["call", "cli-call", "sum", '{"a":2,"b":5}', "--json"], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, data: { sum: 7 } });
  });

  it("exits 4 on no_responders", async () => {
    const r = await runCli(["call", "cli-call", "nobody-serves-this", "{}"], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("no_responders");
  });

  it("exits 3 on timeout", async () => {
    const r = await runCli(["call", "cli-call", "hang", "{}", "--timeout", "300", "--json"], env);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "timeout" } });
  });

  it("exits 5 when the caller has no grant on the app", async () => {
    const r = await runCli(["call", "cli-call", "sum", '{"a":1,"b":2}'], strangerEnv);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("forbidden");
  });

  it("exits 6 for an app that is not registered", async () => {
    const r = await runCli(["call", "cli-no-such-app", "sum", "{}"], env);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("not_found");
  });

  it("exits 9 when the worker answers with an error", async () => {
    const r = await runCli(["call", "cli-call", "fail", "{}"], env);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain("the worker says no");
  });

  it("exits 9 when the worker answers with its own bad_request, and says the worker answered", async () => {
    const r = await runCli(["call", "cli-call", "picky", "{}"], env);
    expect(r.code).toBe(9);
    expect(r.stderr).toBe("nexus: bad_request: the worker answered: a and b must be numbers\n");
  });

  it("exits 2 on a malformed app or method name, before connecting", async () => {
    const badApp = await runCli(["call", "Not An App", "sum", "{}"], env);
    expect(badApp.code).toBe(2);
    expect(badApp.stderr).toContain('APP "Not An App" is not an app name');
    const badMethod = await runCli(["call", "cli-call", "no spaces", "{}"], env);
    expect(badMethod.code).toBe(2);
    expect(badMethod.stderr).toContain('METHOD "no spaces" is not a method name');
  });

  it("exits 2 on invalid JSON and on a missing token", async () => {
    expect((await runCli(["call", "cli-call", "sum", "{nope"], env)).code).toBe(2);
    const noToken = await runCli(["call", "cli-call", "sum", "{}"], { NEXUS_URL: s.httpUrl });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("NEXUS_TOKEN");
  });

  it("exits 8 on a token the edge refuses, and 10 when nothing listens at --url", async () => {
    expect((await runCli(["call", "cli-call", "sum", "{}"], { ...env, NEXUS_TOKEN: "not-a-jwt" })).code).toBe(8);
    const port = await closedPort();
    expect((await runCli(["call", "cli-call", "sum", "{}", "--url", `http://127.0.0.1:${port}`], env)).code).toBe(10);
  });
});
