import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { OpenRequests } from "./open-requests";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("OpenRequests", () => {
  it("settles a request with the device's answer, once, and only for the rid it was sent", async () => {
    const open = new OpenRequests(10, () => 1000);
    let delivered = false;
    const ok = open.wait("r1", () => (delivered = true));
    expect(delivered).toBe(true);
    expect(open.answer("r2", { ok: true, data: 1 })).toBe(false);
    expect(open.answer("r1", { ok: true, data: 3 })).toBe(true);
    await expect(ok).resolves.toBe(3);
    expect(open.has("r1")).toBe(false);
    const failed = open.wait("r3", () => {});
    open.answer("r3", { ok: false, error: { code: "app_error", message: "broke" } });
    await expect(failed).rejects.toMatchObject({ code: "app_error", message: "broke" });
  });

  it("forgets a request after the call timeout and a margin, and refuses past its bound", async () => {
    const open = new OpenRequests(1, () => 1000);
    const waiting = open.wait("r1", () => {});
    await expect(open.wait("r2", () => {})).rejects.toMatchObject({ code: "app_error" });
    vi.advanceTimersByTime(6000);
    await expect(waiting).rejects.toMatchObject({ code: "timeout" });
    expect(open.has("r1")).toBe(false);
  });
});
