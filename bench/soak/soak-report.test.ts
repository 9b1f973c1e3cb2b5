import { describe, expect, it } from "vitest";
import type { ApiCanaryCounts } from "./canary-api";
import { defaultChurnPlan } from "./churn";
import { renderSoakHtml } from "./soak-html";
import { SoakMetrics } from "./soak-metrics";
import { type SoakResults, soakProblems, summariseSoak } from "./soak-results";
import type { SubscriberCounts } from "./subscriber-ledger";

const subscriber = (kind: string, over: Partial<SubscriberCounts> = {}): SubscriberCounts => ({
  kind,
  got: 100,
  lost: 0,
  missedWhileAway: 0,
  duplicated: 0,
  outOfOrder: 0,
  seqGaps: 0,
  reconnects: 0,
  recovered: 0,
  ...over,
});
const api = (over: Partial<ApiCanaryCounts> = {}): ApiCanaryCounts => ({
  sent: 100,
  ok: 100,
  wrong: 0,
  errors: {},
  missing: 0,
  lost: 0,
  worker: { got: 100, duplicated: 0, outOfOrder: 0 },
  reconnects: 0,
  latency: { p50: 1, p99: 2, max: 3 },
  ...over,
});

function results(over: Partial<SoakResults> = {}): SoakResults {
  const metrics = new SoakMetrics();
  const samples = [1, 2, 3, 4].map((t) => {
    for (let i = 0; i < t; i++) metrics.connected();
    metrics.callDone(t);
    metrics.delivered(t / 2);
    metrics.published();
    if (t === 3) metrics.error("no_responders", true);
    return metrics.sample(t, { rssMiB: 100 + t, rssAllMiB: 150 + t, edgeCpuPct: 50, clientCpuPct: 20 });
  });
  return {
    startedAt: "2026-12-01T10:00:00.000Z",
    durationMs: 4000,
    machine: { cpus: 2, cpuModel: "test <cpu>", node: "v20", loadAvgAtStart: [1, 1, 1], loadAvgAtEnd: [2, 2, 2] },
    plan: { ...defaultChurnPlan(10, 4000), rampMs: 2000 },
    samples,
    churn: metrics.totalsSoFar(),
    canaries: {
      api: api(),
      channel: { sent: 100, refused: {}, uncertain: 0, publisherReconnects: 0, subscribers: [subscriber("webuo")] },
    },
    ...over,
  };
}

describe("soakProblems", () => {
  it("passes a run whose canaries lost nothing, whatever the churners' errors", () => {
    expect(results().churn.errors).toEqual({ no_responders: 1 });
    expect(soakProblems(results())).toEqual([]);
  });

  it("fails a lost API result, a worker's duplicate, a lost, repeated or reordered message, and a crash", () => {
    const r = results({
      crashed: "workerd 123 exited",
      canaries: {
        api: api({ lost: 2, missing: 1, wrong: 1, worker: { got: 100, duplicated: 1, outOfOrder: 0 } }),
        channel: {
          sent: 100,
          refused: {},
          uncertain: 0,
          publisherReconnects: 0,
          subscribers: [subscriber("webuo", { lost: 3 }), subscriber("default", { duplicated: 1, outOfOrder: 2 })],
        },
      },
    });
    expect(soakProblems(r)).toEqual([
      "the stack crashed: workerd 123 exited",
      "API canary: 2 of 100 results lost (1 missing, 1 wrong, the rest timed out)",
      "API canary: the worker got 1 calls twice",
      "channel canary (webuo subscriber): 3 of 100 acked messages lost while subscribed",
      "channel canary (default subscriber): 1 messages duplicated",
      "channel canary (default subscriber): 2 messages out of order",
    ]);
  });

  it("does not count messages missed while a subscriber's socket was away and not recovered", () => {
    const r = results();
    r.canaries.channel.subscribers = [subscriber("webuo", { missedWhileAway: 5, reconnects: 1 })];
    expect(soakProblems(r)).toEqual([]);
  });
});

describe("summariseSoak", () => {
  it("averages after the ramp and takes RSS from the first and last samples", () => {
    const s = summariseSoak(results());
    expect(s.connectionsHeld).toBeCloseTo((3 + 6 + 10) / 3);
    expect(s.callsPerSec).toBe(1);
    expect([s.rssStartMiB, s.rssEndMiB, s.rssMaxMiB]).toEqual([101, 104, 104]);
  });
});

describe("renderSoakHtml", () => {
  it("is self-contained: a chart per figure over time, no scripts or external references, text escaped", () => {
    const html = renderSoakHtml(results());
    expect(html.match(/<svg/g)?.length).toBe(7);
    expect(html).not.toMatch(/<script|<link|src=|https?:/);
    expect(html).toContain("test &lt;cpu&gt;");
    expect(html).toContain("Passed");
    expect(renderSoakHtml(results({ crashed: "gone" }))).toContain("the stack crashed: gone");
  });
});
