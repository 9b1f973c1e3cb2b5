import type { AppState } from "../do-contracts";
import type { AppParts } from "./app-parts";

/**
 * Counts every piece of per-connection state an app object keeps in memory and in its SQLite: with
 * no block online and no call in flight each one is back at its idle value (zero), whatever came
 * and went before. The stats route reports them, so that a test can check churn leaves nothing.
 *
 * @example
 * ```ts
 * appState(parts); // { sessions: 0, blockKeys: 0, ..., stubs: 0 }
 * ```
 */
export function appState(parts: AppParts, sockets: number): AppState {
  const index = parts.blocks.index;
  const outbound = parts.outbound.sizes;
  const channels = parts.channels.sizes;
  const rows = parts.store.rowCounts();
  const pending = parts.calls.pending.indexSizes;
  return {
    sockets,
    sessions: index.byConn.size,
    blockKeys: index.byKey.size,
    uids: index.uids.size,
    workerUids: index.workersByUid.size,
    localChannels: index.channels.size,
    pendingCalls: parts.calls.pending.size,
    pendingCallerKeys: parts.calls.pending.callerKeys,
    pendingWorkers: pending.workers,
    pendingCallers: pending.callers,
    deadlines: pending.deadlines,
    timers: parts.calls.pending.timersActive,
    userBuckets: parts.gate.userCount,
    subscribingUids: index.subsByUid.size,
    subscriptionsReserved: channels.reserved,
    willsRows: parts.wills.count(),
    outboundCallers: outbound.callers,
    outboundCalls: outbound.calls,
    rotations: parts.calls.rotations,
    publishBatches: parts.publishes.size,
    channelLeases: parts.leases.size,
    ackBatches: parts.acks.size,
    directBatches: parts.directs.size,
    channelJoins: channels.joins,
    channelQueues: channels.queues,
    joinMarks: channels.joinMarks,
    orderChains: channels.orderChains,
    stubs: parts.stubs.size,
    background: parts.work.size,
    servesRows: rows.serves,
    subsRows: rows.subs,
    expiryRows: rows.expiry,
    rateUsers: parts.gate.userCount,
    userSubCounts: index.subsByUid.size,
    callTimers: parts.calls.pending.timersActive,
    storageBytes: parts.storageBytes(),
    storedTables: parts.storedTables(),
  };
}
