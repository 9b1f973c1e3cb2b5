import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChannelFlush, FLUSH_MS, LAZY_FLUSH_MS, RESERVE } from "./channel-flush";
import type { ChannelHistory } from "./channel-history";
import type { ChannelState } from "./channel-state";

/** A channel's seq and what its flushes stored, with the timers under the test's control. */
function channel() {
  /** Each write that changed something: `seq/ceiling`. */
  const stored: string[] = [];
  const state = { seq: 0, storedSeq: 0, ceiling: 0 };
  const fake = {
    get seq() {
      return state.seq;
    },
    get dirty() {
      return state.seq !== state.storedSeq;
    },
    write(ceiling: number) {
      if (state.seq !== state.storedSeq || ceiling !== state.ceiling) stored.push(`${state.seq}/${ceiling}`);
      state.storedSeq = state.seq;
      state.ceiling = ceiling;
    },
    committed() {},
  } as unknown as ChannelState;
  const history = { dirty: false, write() {} } as unknown as ChannelHistory;
  const kept: Promise<unknown>[] = [];
  const flush = new ChannelFlush({
    state: () => fake,
    history: () => history,
    sync: () => Promise.resolve(),
    leased: () => 0,
    keep: (work) => kept.push(work),
  });
  const publish = () => {
    state.seq++;
    flush.soon();
    return state.seq;
  };
  return { flush, stored, publish, kept };
}

describe("ChannelFlush", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("stores unacknowledged messages within the lazy interval, not sooner", async () => {
    const { stored, publish } = channel();
    publish();
    publish();
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(stored).toEqual([]);
    await vi.advanceTimersByTimeAsync(LAZY_FLUSH_MS - FLUSH_MS);
    expect(stored).toEqual([`2/${2 + RESERVE}`]);
  });

  it("lowers the ceiling FLUSH_MS after a busy flush when nothing new came, and commits nothing then when something did", async () => {
    const { stored, publish } = channel();
    publish();
    await vi.advanceTimersByTimeAsync(LAZY_FLUSH_MS);
    expect(stored).toEqual([`1/${1 + RESERVE}`]);
    publish(); // busy: the look after FLUSH_MS writes nothing
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(stored).toEqual([`1/${1 + RESERVE}`]);
    await vi.advanceTimersByTimeAsync(LAZY_FLUSH_MS);
    expect(stored).toEqual([`1/${1 + RESERVE}`, `2/${2 + RESERVE}`]);
    await vi.advanceTimersByTimeAsync(FLUSH_MS); // quiet now: down to the seq, ready for a clean restart
    expect(stored).toEqual([`1/${1 + RESERVE}`, `2/${2 + RESERVE}`, "2/2"]);
  });

  it("brings the flush forward to FLUSH_MS once an acknowledgement waits, and resolves it after the write", async () => {
    const { flush, stored, publish, kept } = channel();
    publish();
    const seq = publish();
    let acked = false;
    void flush.durable(seq)?.then(() => {
      acked = true;
    });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(stored).toEqual([`2/${2 + RESERVE}`]);
    expect(acked).toBe(true);
    // One timer at a time: the lazy one was replaced, and the work kept alive for it ended with the flush.
    await vi.advanceTimersByTimeAsync(LAZY_FLUSH_MS);
    expect(stored).toEqual([`2/${2 + RESERVE}`, "2/2"]);
    expect(kept.length).toBeGreaterThan(0);
    await expect(Promise.race([kept[0], "pending"])).resolves.toBeUndefined();
  });

  it("answers at once for a seq already stored", async () => {
    const { flush, publish } = channel();
    const seq = publish();
    await vi.advanceTimersByTimeAsync(LAZY_FLUSH_MS);
    expect(flush.durable(seq)).toBeUndefined();
  });
});
