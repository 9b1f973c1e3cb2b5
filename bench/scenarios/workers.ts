import { APP_A, APP_B, type BenchContext, OWNER_A, OWNER_B } from "../context";
import type { WireClient } from "../wire-client";

/** A worker of `bench-a` and a sender, in the same app or (with the grant) in `bench-b`. */
export interface WorkerPair {
  worker: WireClient;
  sender: WireClient;
  /** The worker's resource, for Directs and named calls. */
  resource: string;
  close(): Promise<void>;
}

/**
 * Connects a `default` worker of `bench-a` that serves every method by echoing `data`, and a sender:
 * a `default` block of `bench-a` ("same app") or of `bench-b`, whose owner holds a grant on `bench-a` ("cross app").
 *
 * @example
 * ```ts
 * const { worker, sender, resource } = await workerPair(ctx, "cross");
 * ```
 */
export async function workerPair(ctx: BenchContext, where: "same" | "cross"): Promise<WorkerPair> {
  const workerToken = await ctx.token({ uid: OWNER_A, app: APP_A });
  const senderToken = where === "same" ? workerToken : await ctx.token({ uid: OWNER_B, app: APP_B });
  const worker = await ctx.connect(workerToken, { kind: "default" });
  const sender = await ctx.connect(senderToken, { kind: "default" });
  await worker.expectAck({ t: "serve", methods: ["*"] });
  worker.onFrame = (f) => {
    if (f.t === "api.req") worker.send({ t: "api.res", rid: f.rid, ok: true, data: f.data });
  };
  const from = worker.welcome?.from as { resource?: string } | undefined;
  if (!from?.resource) throw new Error(`welcome without from.resource: ${JSON.stringify(worker.welcome)}`);
  return {
    worker,
    sender,
    resource: from.resource,
    async close() {
      await Promise.all([worker.close(), sender.close()]);
    },
  };
}

/** Human name of a placement of sender and worker. */
export const WHERE_LABEL = { same: "within one app", cross: "across apps" } as const;
