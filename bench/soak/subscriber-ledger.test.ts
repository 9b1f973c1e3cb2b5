import { describe, expect, it } from "vitest";
import { SubscriberLedger } from "./subscriber-ledger";

function receive(ledger: SubscriberLedger, numbers: number[], firstSeq: number): void {
  for (const [i, n] of numbers.entries()) ledger.message(n, firstSeq + i);
}

describe("SubscriberLedger", () => {
  it("counts a missing message of a subscriber that stayed subscribed as lost, and the seq jump", () => {
    const ledger = new SubscriberLedger("webuo");
    ledger.message(0, 1);
    ledger.message(1, 2);
    ledger.message(3, 4);
    expect(ledger.counts([0, 1, 2, 3])).toMatchObject({ got: 3, lost: 1, missedWhileAway: 0, seqGaps: 1 });
    expect(ledger.complete([0, 1, 2, 3])).toBe(false);
  });

  it("excuses what was published while away when the resubscribe was not recovered, and nothing after it", () => {
    const ledger = new SubscriberLedger("default");
    receive(ledger, [0, 1], 1);
    ledger.dropped();
    ledger.resubscribed(false, 6); // 2..5 may have gone out while it was away
    receive(ledger, [4, 6, 8], 20);
    const counts = ledger.counts([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(counts).toMatchObject({ got: 5, lost: 1, missedWhileAway: 3, reconnects: 1, recovered: 0, seqGaps: 0 });
  });

  it("excuses nothing after a recovered resubscribe", () => {
    const ledger = new SubscriberLedger("webuo");
    receive(ledger, [0, 1], 1);
    ledger.dropped();
    ledger.resubscribed(true, 6);
    receive(ledger, [2, 3, 5, 6], 3);
    const counts = ledger.counts([0, 1, 2, 3, 4, 5, 6]);
    expect(counts).toMatchObject({ got: 6, lost: 1, missedWhileAway: 0, reconnects: 1, recovered: 1 });
  });

  it("sees repeats and reordering across a resubscribe", () => {
    const ledger = new SubscriberLedger("webuo");
    receive(ledger, [0, 1, 2], 1);
    ledger.dropped();
    ledger.resubscribed(true, 3);
    receive(ledger, [2, 1], 3);
    expect(ledger.counts([0, 1, 2])).toMatchObject({ got: 3, duplicated: 2, outOfOrder: 0, lost: 0 });
  });
});
