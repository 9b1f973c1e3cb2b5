/**
 * Reconnect delays with full jitter (a random delay between 0 and an exponentially growing cap),
 * so that many devices whose edge went away at once do not come back in lockstep.
 *
 * @example
 * ```ts
 * const delay = backoffDelay(3, { minMs: 100, maxMs: 3000 }); // somewhere in [0, 800] ms
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: { minMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const cap = Math.min(options.maxMs, options.minMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * cap);
}
