import { describe, expect, it, vi } from "vitest";
import type { Delivery } from "../do-contracts";
import { ChannelOrder } from "./channel-order";

const msg = (seq: number, prev?: number): Delivery => ({ seq, prev, text: `m${seq}` });

function recorder(waitMs?: number) {
  const passed: number[] = [];
  const order = new ChannelOrder((_channel, d) => {
    passed.push(d.seq);
    return 1;
  }, waitMs);
  return { passed, order };
}

describe("ChannelOrder", () => {
  it("passes messages in seq order however the two ways cross", () => {
    const { passed, order } = recorder();
    order.deliver("c", msg(1), false); // the first this channel run routed here
    order.deliver("c", msg(3, 2), false); // a delivery call overtook the publish answer with 2
    expect(passed).toEqual([1]);
    order.deliver("c", msg(2, 1), false);
    expect(passed).toEqual([1, 2, 3]);
  });

  it("while the join is in flight, starts the chain at the join's seq and drops what came before it", () => {
    const { passed, order } = recorder();
    order.deliver("c", msg(6, 5), true);
    order.deliver("c", msg(5, 4), true); // routed before the join (seq 5): not for this membership
    expect(passed).toEqual([]);
    order.joined("c", 5);
    expect(passed).toEqual([6]);
    // A second join (another block of the app) does not restart a running chain.
    order.joined("c", 6);
    order.deliver("c", msg(7, 6), false);
    expect(passed).toEqual([6, 7]);
  });

  it("drops a message it already passed, and starts again after the app left", () => {
    const { passed, order } = recorder();
    order.deliver("c", msg(1), false);
    order.deliver("c", msg(1), false);
    expect(passed).toEqual([1]);
    order.left("c");
    expect(order.size).toBe(0);
    order.deliver("c", msg(9, 4), false); // a new membership, no join in flight: passes
    expect(passed).toEqual([1, 9]);
  });

  it("stops waiting for a message that never comes (a failed call) and goes on in seq order", () => {
    vi.useFakeTimers();
    try {
      const { passed, order } = recorder(1000);
      order.deliver("c", msg(1), false);
      order.deliver("c", msg(4, 3), false);
      order.deliver("c", msg(3, 2), false);
      vi.advanceTimersByTime(999);
      expect(passed).toEqual([1]);
      vi.advanceTimersByTime(1);
      expect(passed).toEqual([1, 3, 4]);
      order.deliver("c", msg(5, 4), false);
      expect(passed).toEqual([1, 3, 4, 5]);
    } finally {
      vi.useRealTimers();
    }
  });
});
