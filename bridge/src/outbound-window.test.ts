import { describe, expect, it } from "vitest";
import { OutboundWindow } from "./outbound-window";

describe("OutboundWindow", () => {
  it("keeps at most Receive Maximum deliveries in flight and sends the rest in order as PUBACKs free ids", () => {
    const window = new OutboundWindow(2);
    const sent: string[] = [];
    const ids: number[] = [];
    for (const name of ["a", "b", "c", "d"]) {
      window.submit((id) => {
        sent.push(name);
        ids.push(id);
      });
    }
    expect(sent).toEqual(["a", "b"]);
    expect(window.queued).toBe(2);
    expect(window.release(ids[0]!)).toBe(true);
    expect(sent).toEqual(["a", "b", "c"]);
    expect(window.release(999)).toBe(false);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("refuses deliveries once its queue is full", () => {
    const window = new OutboundWindow(1, 1);
    expect(window.submit(() => {})).toBe(true);
    expect(window.submit(() => {})).toBe(true);
    expect(window.submit(() => {})).toBe(false);
  });

  it("never reuses an id still in flight, across the 16-bit wrap", () => {
    const window = new OutboundWindow(65535);
    const ids = new Set<number>();
    for (let i = 0; i < 65535; i++) window.submit((id) => ids.add(id));
    expect(ids.size).toBe(65535);
    expect(ids.has(0)).toBe(false);
    window.release(5);
    let again = 0;
    window.submit((id) => (again = id));
    expect(again).toBe(5);
  });
});
