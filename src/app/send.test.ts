import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { countSends, release, send, sendFirst } from "./send";
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

describe("sendFirst", () => {
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
    sendFirst(asWs(s), "welcome");
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
    sendFirst(asWs(s), "welcome");
    send(asWs(s), "direct 1");
    release(asWs(s));
    expect(s.sent).toEqual(["welcome", "direct 1"]);
    vi.runAllTimers();
    expect(s.sent).toEqual(["welcome", "direct 1"]);
  });

  it("refuses frames for a socket that closed while it held them, and sends nothing after the close", () => {
    const s = fakeSocket();
    countSends(asWs(s), new TrafficStats(() => 1));
    sendFirst(asWs(s), "welcome");
    s.readyState = CLOSED;
    expect(send(asWs(s), "direct 1")).toBe(false);
    vi.runAllTimers();
    expect(s.sent).toEqual([]);
  });
});
