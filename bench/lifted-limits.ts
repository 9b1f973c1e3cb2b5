const LIFTED = "1000000000";

/**
 * Edge variables that lift every rate limit and quota to a value a bench stays under. Rate limits
 * and quotas would throttle a bench's few fast connections (one uid opens 1,000 subscribers and
 * 10,000 idle blocks; its clients never ping): a bench measures the machinery, not the policy.
 * Every bound is still checked on every frame.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ vars: { NEXUS_BENCH: "1", ...LIFTED_LIMITS } });
 * ```
 */
export const LIFTED_LIMITS = {
  NEXUS_RATE_PER_SEC: LIFTED,
  NEXUS_RATE_BURST: LIFTED,
  NEXUS_USER_RATE_PER_SEC: LIFTED,
  NEXUS_APP_RATE_PER_SEC: LIFTED,
  NEXUS_MAX_BLOCKS_PER_USER: LIFTED,
  NEXUS_MAX_OUTBOUND_BYTES: LIFTED,
};
