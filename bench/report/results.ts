import type { Figure } from "../context";

/** One pass of every scenario with one placement of server and client on the cores. */
export interface PlacementRun {
  placement: "separate" | "shared";
  /** E.g. "client: core 0, workerd: core 1". */
  pinning: string;
  figures: Figure[];
  /** Scenarios that did not run, with the reason ("bridge not available"). */
  skipped: string[];
}

/** Everything one `npm run bench` measured; what `--json` writes. */
export interface BenchResults {
  startedAt: string;
  durationMs: number;
  machine: { cpus: number; cpuModel: string; node: string; platform: string; loadAvgAtStart: number[]; loadAvgAtEnd: number[] };
  /** `peers`: the peer servers measured in this run ("mosquitto 2.0.11"), when `--peers` was given. */
  options: { maxMs: number; scale: number; connections: number; connectionRounds?: number; peers?: string[] };
  runs: PlacementRun[];
}

const GROUP = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

/**
 * Formats a figure's value for people: rates grouped by thousands, milliseconds to 3 places.
 *
 * @example
 * ```ts
 * formatValue(16591.7, "msg/s"); // "16,592"
 * formatValue(0.1693, "ms");      // "0.169"
 * ```
 */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "n/a";
  if (unit === "ms") return value < 10 ? value.toFixed(3) : value.toFixed(1);
  if (unit === "KiB" || unit === "µs") return value.toFixed(1);
  return GROUP.format(value);
}

/** `value / floor` as the report prints it. @example formatRatio(0.5) // "0.50x" */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : "n/a";
}
