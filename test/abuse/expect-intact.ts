import { expect } from "vitest";
import type { TestStack } from "../support/stack";
import { type Canary, type CanaryCounts, startCanary } from "./canary";

/** The canary lost nothing: every call answered ok, every message published got through, no error, no close. */
export function expectIntact(c: CanaryCounts): void {
  expect(c.trouble).toEqual([]);
  expect(c.calls.failed).toEqual([]);
  expect(c.calls.sent).toBeGreaterThan(0);
  expect(c.calls.ok).toBe(c.calls.sent);
  expect(c.messages.acked).toBe(c.messages.sent);
  expect(c.messages.got).toBe(c.messages.sent);
}

/**
 * Runs a flood while a canary pair in another app keeps exchanging calls and messages: the canary
 * completes a round before the flood starts and another after it ended, so it worked throughout.
 * Asserts that the canary lost nothing, and resolves with the flood's own result.
 */
export async function withCanary<T>(s: TestStack, flood: () => Promise<T>): Promise<T> {
  const canary: Canary = await startCanary(s);
  await canary.another();
  let result: T;
  try {
    result = await flood();
    await canary.another();
  } finally {
    const counts = await canary.stop();
    expectIntact(counts);
  }
  return result;
}
