import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startStack, type TestStack } from "../support/stack";

describe("welcome first", () => {
  let s: TestStack;
  beforeAll(async () => {
    // The sender races as fast as it can; its rate limit is not what this test is about.
    const fast = "1000000";
    s = await startStack({ vars: { NEXUS_RATE_PER_SEC: fast, NEXUS_USER_RATE_PER_SEC: fast, NEXUS_APP_RATE_PER_SEC: fast } });
    await s.createApp("wf", "owner1");
  });
  afterAll(() => s?.stop());

  it("routes nothing to a connecting block before its welcome, under a stream of racing Directs", async () => {
    const sender = await s.open("owner1", "wf", { kind: "webuo" });
    // The target's uid has no other block, so its connect waits on its presence: the window under test.
    const targetToken = await s.token({ uid: "fresh_uid", app: "wf" });
    for (let round = 0; round < 5; round++) {
      const resource = `default${round}`;
      const frames: any[] = [];
      const target = new WebSocket(s.connectUrlFor(targetToken, { resource }));
      target.on("message", (data) => frames.push(JSON.parse(String(data))));
      const welcomed = new Promise<void>((resolve) => target.once("message", () => resolve()));
      const answers: Promise<any>[] = [];
      let n = 0;
      let connected = false;
      void welcomed.then(() => (connected = true));
      // Directs go out one per tick until the target is welcomed; each is acked or refused offline.
      while (!connected && n < 5000) {
        const id = `r${round}-${n++}`;
        answers.push(sender.request({ t: "direct", id, app: "wf", uid: "fresh_uid", resource, data: id }));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const results = await Promise.all(answers);
      // One more after the welcome: its arrival means every earlier acked Direct has arrived too (in order).
      expect(
        await sender.request({ t: "direct", id: `end${round}`, app: "wf", uid: "fresh_uid", resource, data: "end" }),
      ).toMatchObject({
        t: "ack",
      });
      await new Promise<void>((resolve) => {
        const check = () => (frames.some((f) => f.data === "end") ? resolve() : setTimeout(check, 5));
        check();
      });
      expect(frames[0]).toMatchObject({ t: "welcome" });
      const acked = results.filter((r) => r.t === "ack").map((r) => r.id);
      const refused = results.filter((r) => r.t === "error");
      for (const r of refused) expect(r.code).toBe("offline");
      expect(frames.filter((f) => f.t === "direct" && f.data !== "end").map((f) => f.data)).toEqual(acked);
      target.terminate();
    }
  });
});
