/**
 * Polls `probe` until it answers a truthy value and returns that value; rejects after `timeoutMs`.
 * For conditions that no event announces (what Find lists, whether a method is served again); each
 * probe is a real request, and the bound makes a broken behaviour fail instead of hanging.
 *
 * @example
 * ```ts
 * await until(async () => (await owner.find({ scope: "app" })).length === 0, "Find empty", 5000);
 * ```
 */
export async function until<T>(
  probe: () => Promise<T> | T,
  what: string,
  timeoutMs: number,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
