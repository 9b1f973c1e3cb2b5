import { describe, expect, it } from "vitest";
import { Batcher, BatchQueueFull, KeyedBatcher } from "./batcher";

/** A send function whose calls the test completes by hand, to see exactly what was batched. */
function manualSend() {
  const calls: { items: number[]; finish: (ok?: boolean) => void }[] = [];
  const send = (items: number[]) =>
    new Promise<number[]>((resolve, reject) => {
      calls.push({ items, finish: (ok = true) => (ok ? resolve(items.map((i) => i * 10)) : reject(new Error("broken stub"))) });
    });
  return { calls, send };
}

/** No pause between calls: each call starts as soon as the previous one returned. */
const AT_ONCE = { pause: null };

describe("Batcher", () => {
  it("under load, waits its pause before the next call, so that what arrives meanwhile joins it", async () => {
    const { calls, send } = manualSend();
    let resume = () => {};
    const paused: { count: number } = { count: 0 };
    const pause = () =>
      new Promise<void>((resolve) => {
        paused.count++;
        resume = resolve;
      });
    const b = new Batcher(send, () => {}, { pause });
    const first = b.push(1);
    expect(paused.count).toBe(0); // idle: the first item goes at once
    const second = b.push(2);
    calls[0]!.finish();
    expect(await first).toBe(10);
    await Promise.resolve();
    expect(paused.count).toBe(0); // one item waiting: it goes at once too
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
    const rest = [b.push(3), b.push(4)];
    calls[1]!.finish();
    expect(await second).toBe(20);
    expect(paused.count).toBe(1); // two waiting: under load, the pause
    const fifth = b.push(5); // arrives during the pause
    resume();
    await Promise.resolve();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4, 5]]);
    calls[2]!.finish();
    expect(await Promise.all([...rest, fifth])).toEqual([30, 40, 50]);
    expect(b.idle).toBe(true);
  });

  it("with pauseFrom 1, pauses when a single item waits too, and still sends a lone first item at once", async () => {
    const { calls, send } = manualSend();
    let resume = () => {};
    let paused = 0;
    const pause = () =>
      new Promise<void>((resolve) => {
        paused++;
        resume = resolve;
      });
    const b = new Batcher(send, () => {}, { pause, pauseFrom: 1 });
    const first = b.push(1);
    expect(calls.map((c) => c.items)).toEqual([[1]]); // idle: at once
    const second = b.push(2);
    calls[0]!.finish();
    expect(await first).toBe(10);
    expect(paused).toBe(1); // one waiting: the pause
    const third = b.push(3); // arrives during the pause and joins
    resume();
    await Promise.resolve();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3]]);
    calls[1]!.finish();
    expect(await Promise.all([second, third])).toEqual([20, 30]);
    expect(b.idle).toBe(true);
  });

  it("sends the first item at once and batches what arrives while a call is in flight, in order", async () => {
    const { calls, send } = manualSend();
    const b = new Batcher(send, () => {}, AT_ONCE);
    const first = b.push(1);
    const rest = [b.push(2), b.push(3), b.push(4)];
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    calls[0]!.finish();
    expect(await first).toBe(10);
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.finish();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(b.idle).toBe(true);
  });

  it("rejects the items of a failed call and goes on with the next ones", async () => {
    const { calls, send } = manualSend();
    const b = new Batcher(send, () => {}, AT_ONCE);
    const failed = b.push(1);
    const later = b.push(2);
    calls[0]!.finish(false);
    await expect(failed).rejects.toThrow("broken stub");
    await Promise.resolve();
    expect(calls[1]!.items).toEqual([2]);
    calls[1]!.finish();
    expect(await later).toBe(20);
  });

  it("caps a batch at maxBatch items", async () => {
    const { calls, send } = manualSend();
    const b = new Batcher(send, () => {}, { ...AT_ONCE, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => b.push(i));
    calls[0]!.finish();
    await Promise.resolve();
    await Promise.resolve();
    expect(calls[1]!.items).toEqual([2, 3]);
    calls[1]!.finish();
    await all[2];
    expect(calls[2]!.items).toEqual([4, 5]);
    calls[2]!.finish();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
  });
});

describe("Batcher byte bounds", () => {
  it("caps a batch at maxBatchBytes, and sends an item larger than that alone", async () => {
    const { calls, send } = manualSend();
    const b = new Batcher(send, () => {}, { ...AT_ONCE, maxBatchBytes: 10, sizeOf: (n: number) => n });
    const all = [1, 4, 4, 4, 30, 2].map((i) => b.push(i));
    calls[0]!.finish();
    await all[0];
    await Promise.resolve();
    expect(calls[1]!.items).toEqual([4, 4]);
    calls[1]!.finish();
    await all[2];
    await Promise.resolve();
    expect(calls[2]!.items).toEqual([4]);
    calls[2]!.finish();
    await all[3];
    await Promise.resolve();
    expect(calls[3]!.items).toEqual([30]);
    calls[3]!.finish();
    await all[4];
    await Promise.resolve();
    expect(calls[4]!.items).toEqual([2]);
    calls[4]!.finish();
    expect(await Promise.all(all)).toEqual([10, 40, 40, 40, 300, 20]);
  });

  it("refuses an item when maxQueuedBytes already wait, and takes items again once they went", async () => {
    const { calls, send } = manualSend();
    const b = new Batcher(send, () => {}, { ...AT_ONCE, maxQueuedBytes: 10, sizeOf: (n: number) => n });
    const first = b.push(8); // goes at once: nothing waits
    const waiting = [b.push(6), b.push(4)];
    await expect(b.push(1)).rejects.toBeInstanceOf(BatchQueueFull);
    calls[0]!.finish();
    await first;
    await Promise.resolve();
    expect(calls[1]!.items).toEqual([6, 4]);
    const again = b.push(9);
    calls[1]!.finish();
    expect(await Promise.all(waiting)).toEqual([60, 40]);
    await Promise.resolve();
    calls[2]!.finish();
    expect(await again).toBe(90);
  });
});

describe("KeyedBatcher", () => {
  it("keeps one batcher per key while busy and drops it when idle", async () => {
    const sent: [string, number[]][] = [];
    const kb = new KeyedBatcher(async (key: string, items: number[]) => {
      sent.push([key, items]);
      return items;
    });
    const results = await Promise.all([kb.push("a", 1), kb.push("b", 2), kb.push("a", 3)]);
    expect(results).toEqual([1, 2, 3]);
    expect(sent).toEqual([
      ["a", [1]],
      ["b", [2]],
      ["a", [3]],
    ]);
    expect(kb.size).toBe(0);
  });
});
