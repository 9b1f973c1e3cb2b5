import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FirstFrames } from "./first-frames";
import { countSends, hold, release, send } from "./send";
import { TrafficStats } from "./traffic-stats";

const OPEN = 1;
const CLOSED = 3;

/** A server-side socket as the app object sees it: what it was sent, in order. */
function fakeSocket() {
  const socket = {
    readyState: OPEN,
    sent: [] as string[],
    send(text: string) {
      socket.sent.push(text);
    },
  };
  return socket;
}
const asWs = (s: ReturnType<typeof fakeSocket>) => s as unknown as WebSocket;

describe("hold and FirstFrames", () => {
  beforeEach(() => {
    vi.stubGlobal("WebSocket", { OPEN });
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("sends the first frame on the next turn, and what was sent meanwhile after it, in order", () => {
    const s = fakeSocket();
    const traffic = new TrafficStats(() => 1);
    countSends(asWs(s), traffic);
    new FirstFrames().send(asWs(s), "welcome");
    expect(send(asWs(s), "direct 1")).toBe(true);
    expect(send(asWs(s), "direct 2")).toBe(true);
    expect(s.sent).toEqual([]);
    vi.runAllTimers();
    expect(s.sent).toEqual(["welcome", "direct 1", "direct 2"]);
    send(asWs(s), "direct 3");
    expect(s.sent).toEqual(["welcome", "direct 1", "direct 2", "direct 3"]);
    expect(traffic.seconds().reduce((n, b) => n + b.out, 0)).toBe(4);
  });

  it("sends what it holds at once when released (before a close), and nothing twice", () => {
    const s = fakeSocket();
    countSends(asWs(s), new TrafficStats(() => 1));
    new FirstFrames().send(asWs(s), "welcome");
    send(asWs(s), "direct 1");
    release(asWs(s));
    expect(s.sent).toEqual(["welcome", "direct 1"]);
    vi.runAllTimers();
    expect(s.sent).toEqual(["welcome", "direct 1"]);
  });

  it("refuses frames for a socket that closed while it held them, and sends nothing after the close", () => {
    const s = fakeSocket();
    countSends(asWs(s), new TrafficStats(() => 1));
    hold(asWs(s), "welcome");
    s.readyState = CLOSED;
    expect(send(asWs(s), "direct 1")).toBe(false);
    vi.runAllTimers();
    expect(s.sent).toEqual([]);
  });

  it("sends every held first frame when the object's next event releases them, before the turn ends", () => {
    const a = fakeSocket();
    const b = fakeSocket();
    countSends(asWs(a), new TrafficStats(() => 2));
    countSends(asWs(b), new TrafficStats(() => 2));
    const first = new FirstFrames();
    first.send(asWs(a), "welcome a");
    first.send(asWs(b), "welcome b");
    send(asWs(b), "direct to b");
    first.release();
    expect([a.sent, b.sent]).toEqual([["welcome a"], ["welcome b", "direct to b"]]);
    vi.runAllTimers();
    expect([a.sent, b.sent]).toEqual([["welcome a"], ["welcome b", "direct to b"]]);
  });

  it("is released by a later event only once the runtime's clock has moved since the first was held", () => {
    const s = fakeSocket();
    countSends(asWs(s), new TrafficStats(() => 1));
    const first = new FirstFrames();
    const t0 = Date.now();
    first.send(asWs(s), "welcome");
    first.released(t0);
    expect(s.sent).toEqual([]);
    first.released(t0 + 1);
    expect(s.sent).toEqual(["welcome"]);
  });
});
