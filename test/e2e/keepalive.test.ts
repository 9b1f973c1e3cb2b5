import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";

// A short interval, so that three of them pass quickly; the rule is the same at the default 20 s.
const PING_INTERVAL_MS = 1000;

describe("workers' keepalive", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack({ vars: { NEXUS_PING_INTERVAL_MS: String(PING_INTERVAL_MS) } });
    await s.createApp("alive", "owner1");
  });
  afterAll(() => s?.stop());

  it("closes a silent worker with 4002 and takes it out of Find and the pool; a pinging worker and a frontend stay", async () => {
    const silent = await s.open("owner1", "alive", { resource: "default1" });
    const pinging = await s.open("owner1", "alive", { resource: "default2" });
    const panel = await s.open("owner1", "alive", { kind: "webuo" });
    expect(silent.welcome.limits.pingIntervalMs).toBe(PING_INTERVAL_MS);
    for (const w of [silent, pinging]) await w.request({ t: "serve", id: "s", methods: ["sum"] });
    // Pings answered by the runtime itself (auto-response), twice per interval, as an SDK would send them.
    const pinger = setInterval(() => pinging.send('{"t":"ping"}'), PING_INTERVAL_MS / 2);
    try {
      expect(await silent.closed).toMatchObject({ code: 4002 });
      const found = await panel.request({ t: "find", id: "f", scope: "app" });
      expect(found.blocks.map((b: { resource: string }) => b.resource).sort()).toEqual(
        ["default2", panel.welcome.from.resource].sort(),
      );
      for (let i = 0; i < 4; i++) {
        panel.send({ t: "api", id: `c${i}`, app: "alive", method: "sum", data: i });
        const req = await pinging.next((f) => f.t === "api.req");
        pinging.send({ t: "api.res", rid: req.rid, ok: true, data: i });
        expect(await panel.next((f) => f.id === `c${i}`)).toMatchObject({ ok: true, data: i });
      }
    } finally {
      clearInterval(pinger);
    }
  });
});
