import { describe, expect, it } from "vitest";
import { BackgroundWork } from "./background-work";

describe("BackgroundWork", () => {
  it("counts work in flight, hands it to waitUntil, and settles after work that work started", async () => {
    const handed: Promise<unknown>[] = [];
    const work = new BackgroundWork((p) => handed.push(p));
    let finishFirst!: () => void;
    let secondDone = false;
    work.run(
      new Promise<void>((resolve) => {
        finishFirst = resolve;
      }).then(() => work.run(Promise.resolve().then(() => (secondDone = true)))),
    );
    work.run(Promise.reject(new Error("failed work still ends")));
    expect(work.size).toBe(2);
    expect(handed).toHaveLength(2);
    const settled = work.settled();
    finishFirst();
    await settled;
    expect(secondDone).toBe(true);
    expect(work.size).toBe(0);
  });
});
