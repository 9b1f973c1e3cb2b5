import { channelDeliveries } from "./bench-replica";
import { type Costs, deriveCosts, MEASURED } from "./calibration";

let cached: Costs | undefined;

/**
 * The derived costs with the one fitted constant: the channel object's work per publish batch (the
 * seq commit and its loop), found by bisection so that the model's "Channel, 1 to 1" run gives the
 * measured deliveries/s. The fit is deterministic (no randomness in the bench replicas).
 *
 * @example
 * ```ts
 * const costs = calibratedCosts();
 * ```
 */
export function calibratedCosts(): Costs {
  if (cached) return cached;
  let lo = 0;
  let hi = 5000;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (channelDeliveries(deriveCosts(MEASURED, mid), 1) > MEASURED.channel1to1PerSec) lo = mid;
    else hi = mid;
  }
  cached = deriveCosts(MEASURED, (lo + hi) / 2);
  return cached;
}
