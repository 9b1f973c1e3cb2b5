import type { LocalStack } from "../scripts/local-stack";
import { type BenchContext, benchContext } from "./context";
import { type EdgeProcesses, findEdgeProcesses, type Placement, place, unpin } from "./pin";

/**
 * Follows the edge runtime of one local stack. wrangler restarts the runtime (on a new port) when
 * ./public changes, e.g. when another local stack starts in this checkout; finding it again before
 * each step, and running a step once more when the runtime restarted under it, keeps one restart
 * from spoiling the rest of the run.
 *
 * @example
 * ```ts
 * const rt = await RuntimeTracker.start(stack, { maxMs: 3000, scale: 1, log: console.error });
 * const figures = await rt.attempt("separate", (pid) => benchDirect(rt.ctx, baseline));
 * ```
 */
export class RuntimeTracker {
  private constructor(
    private readonly stack: LocalStack,
    private edge: EdgeProcesses,
    readonly ctx: BenchContext,
  ) {}

  static async start(
    stack: LocalStack,
    options: { maxMs: number; scale: number; log(message: string): void },
  ): Promise<RuntimeTracker> {
    const edge = await findEdgeProcesses(stack.httpUrl);
    return new RuntimeTracker(stack, edge, benchContext(stack, edge.runtimeUrl, options));
  }

  /** Finds the runtime again and pins it and this process; returns the placement's description. */
  async place(placement: Placement): Promise<string> {
    this.edge = await findEdgeProcesses(this.stack.httpUrl);
    this.ctx.edgeUrl = this.edge.runtimeUrl;
    return place(placement, this.edge.pids);
  }

  /** Lets every process run on every core again. */
  unpin(): void {
    unpin(this.edge.pids);
  }

  /**
   * Runs `work` (given the runtime's pid); if it fails and the runtime meanwhile restarted, runs it
   * once more on the new runtime. Resolves with the result, or with the error of the last attempt.
   */
  async attempt<T>(placement: Placement, work: (runtimePid: number) => Promise<T>): Promise<T | Error> {
    await this.place(placement);
    const before = `${this.edge.runtimePid} ${this.edge.runtimeUrl}`;
    const outcome = await work(this.edge.runtimePid).catch((err: Error) => err);
    if (!(outcome instanceof Error)) return outcome;
    await this.place(placement);
    if (`${this.edge.runtimePid} ${this.edge.runtimeUrl}` === before) return outcome;
    this.ctx.log(`  the runtime restarted under the bench (${outcome.message}); running the step again`);
    return work(this.edge.runtimePid).catch((err: Error) => err);
  }
}
