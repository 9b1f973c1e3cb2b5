import { describe, expect, it } from "vitest";
import { type Outbound, SlowConsumerGuard } from "./slow-consumer";

function setup(max: number) {
  const sent: string[] = [];
  const slow: string[] = [];
  let ping: number | undefined;
  const guard = new SlowConsumerGuard<string>(
    max,
    () => ping,
    (ws) => slow.push(ws),
    (_ws, text) => {
      sent.push(text);
      return true;
    },
  );
  const s: Outbound<string> = { ws: "w1", unread: 0, pingSeen: 0 };
  return { guard, s, sent, slow, setPing: (at: number) => (ping = at) };
}

describe("SlowConsumerGuard", () => {
  it("closes a client that receives more than the bound and sends nothing", () => {
    const { guard, s, slow } = setup(100);
    for (let i = 0; i < 10; i++) guard.send(s, "x".repeat(10));
    expect(slow).toEqual([]);
    guard.send(s, "x");
    expect(slow).toEqual(["w1"]);
  });

  it("starts counting again at every frame from the client", () => {
    const { guard, s, slow } = setup(100);
    for (let i = 0; i < 100; i++) {
      guard.send(s, "x".repeat(60));
      guard.heard(s);
    }
    expect(slow).toEqual([]);
  });

  it("takes a ping the runtime answered as a sign of life, once", () => {
    const { guard, s, slow, setPing } = setup(100);
    setPing(5);
    guard.send(s, "x".repeat(150));
    expect(slow).toEqual([]);
    guard.send(s, "x".repeat(150));
    expect(slow).toEqual(["w1"]); // the same ping does not count twice
  });
});
