import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { renderHtml } from "./html";
import type { BenchResults } from "./results";

/**
 * Writes the JSON and HTML reports that were asked for; returns the paths written.
 *
 * @example
 * ```ts
 * writeReports(results, { json: "bench-results/latest.json", html: "bench-results/latest.html" });
 * ```
 */
export function writeReports(results: BenchResults, files: { json?: string; html?: string }): string[] {
  const written: string[] = [];
  const write = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(file);
  };
  if (files.json) write(files.json, `${JSON.stringify(results, null, 2)}\n`);
  if (files.html) write(files.html, renderHtml(results));
  return written;
}
