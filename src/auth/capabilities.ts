import { NAME_PATTERN as NAME } from "../protocol/codec";

/** A pattern: an exact channel name, or a prefix of one followed by `*` (`*` alone is every channel). */
const PATTERN = /^[A-Za-z0-9_.:/-]{0,128}\*?$/;

/** The most patterns one `pub` or `sub` claim may hold (they are kept per connection). */
export const MAX_PATTERNS = 64;

/**
 * Channel capabilities from a token's `pub` or `sub` claim, as Ably's capabilities: a list of
 * exact channel names and prefixes ending in `*`. No claim allows every channel; an empty list none.
 *
 * @example
 * ```ts
 * const pub = ChannelCapability.parse(["status/dev1", "telemetry/dev1/*"]);
 * pub.allows("telemetry/dev1/temp"); // true
 * pub.allows("status/dev2"); // false
 * ```
 */
export class ChannelCapability {
  private readonly exact: Set<string>;
  private readonly prefixes: string[];

  private constructor(readonly patterns: readonly string[]) {
    this.exact = new Set(patterns.filter((p) => !p.endsWith("*")));
    this.prefixes = patterns.filter((p) => p.endsWith("*")).map((p) => p.slice(0, -1));
  }

  /** Parses a claim; throws a TypeError naming what is wrong with it. */
  static parse(claim: unknown): ChannelCapability {
    const problem = capabilityProblem(claim);
    if (problem) throw new TypeError(problem);
    return new ChannelCapability(claim as string[]);
  }

  allows(channel: string): boolean {
    if (this.exact.has(channel)) return true;
    for (const p of this.prefixes) if (channel.startsWith(p)) return true;
    return false;
  }
}

/**
 * Why a `pub`/`sub` claim is not a list of channel patterns, or undefined when it is one.
 *
 * @example
 * ```ts
 * capabilityProblem(["prices", "news/*"]); // undefined
 * capabilityProblem(["a*b"]); // "... patterns are channel names, or prefixes ending in *"
 * ```
 */
export function capabilityProblem(claim: unknown): string | undefined {
  if (!Array.isArray(claim)) return "must be an array of channel patterns";
  if (claim.length > MAX_PATTERNS) return `may hold at most ${MAX_PATTERNS} patterns`;
  for (const p of claim) {
    if (typeof p !== "string" || !PATTERN.test(p) || (p !== "*" && !p.endsWith("*") && !NAME.test(p))) {
      return "patterns are channel names, or prefixes ending in *";
    }
  }
  return undefined;
}
