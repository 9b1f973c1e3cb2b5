import { ERROR_TABLE, ErrorCode, Quota } from "../../src/protocol/codes";
import type { WireError } from "../../src/protocol/frames";

export { ERROR_TABLE, ErrorCode, Quota };

/**
 * Extra facts about an error, when the SDK knows them.
 *
 * @example
 * ```ts
 * new NexusError("disconnected", "client closed", { retryable: false, closeCode: 1000 } satisfies NexusErrorDetails);
 * ```
 */
export interface NexusErrorDetails {
  /** Overrides the table's `retryable` (e.g. `disconnected` after `close()` is final). */
  retryable?: boolean;
  /** The underlying error (a socket error, the handler's throw, the abort reason). */
  cause?: unknown;
  /** HTTP status of a refused connect, where the environment lets the SDK read it. */
  status?: number;
  /** WebSocket close code that ended the connection, for close-related errors. */
  closeCode?: number;
  /** With `quota_exceeded`: the quota that refused it (a `Quota` name, e.g. "maxSubscriptions"). */
  quota?: string;
}

/**
 * The one error class of the SDK. Branch on `code` (a contract code from `ErrorCode`), never on the message.
 *
 * @example
 * ```ts
 * try {
 *   await nx.api("etest", "sum", { a: 1, b: 2 });
 * } catch (err) {
 *   if (err instanceof NexusError && err.code === ErrorCode.no_responders) showOffline();
 *   else if (err instanceof NexusError && err.retryable) retryLater();
 *   else throw err;
 * }
 * ```
 */
export class NexusError extends Error {
  override readonly name = "NexusError";
  /** The contract's error code, or a code the server sent that this SDK version does not know. */
  readonly code: ErrorCode | (string & {});
  /** True when the same call may succeed if tried again later. */
  readonly retryable: boolean;
  /** HTTP status of a refused connect, when known. */
  readonly status: number | undefined;
  /** Close code of the WebSocket, for errors caused by a close. */
  readonly closeCode: number | undefined;
  /**
   * With `quota_exceeded`: which quota refused it, as the server names it (`Quota`): per block
   * `maxSubscriptions`, `maxPendingCalls`, `maxServedMethods`, `maxBlocksPerUser`; or a bound of the
   * user or the app (`maxSubscriptionsPerUser`, `maxChannelsPerApp`, `maxPendingCallsPerUser`,
   * `maxPendingCallsPerApp`, `maxRetainedBytesPerApp`). Undefined for other codes.
   */
  readonly quota: Quota | (string & {}) | undefined;

  constructor(code: ErrorCode | (string & {}), message: string, details: NexusErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.retryable = details.retryable ?? isRetryable(code);
    this.status = details.status;
    this.closeCode = details.closeCode;
    this.quota = details.quota;
  }

  /**
   * Builds the error from a wire `error` object or `error` frame.
   *
   * @example
   * ```ts
   * NexusError.fromWire({ code: "forbidden", message: "no grant on etest" }).retryable; // false
   * ```
   */
  static fromWire(error: WireError): NexusError {
    return new NexusError(error.code, error.message || error.code, typeof error.quota === "string" ? { quota: error.quota } : {});
  }
}

/**
 * Whether a code is worth retrying, from the contract's table; unknown codes are not.
 *
 * @example
 * ```ts
 * isRetryable("timeout"); // true
 * isRetryable("forbidden"); // false
 * ```
 */
export function isRetryable(code: string): boolean {
  return Object.hasOwn(ERROR_TABLE, code) ? ERROR_TABLE[code as ErrorCode].retryable : false;
}

/**
 * True for a `NexusError`, optionally of one code; works across bundle copies, where `instanceof` may not.
 *
 * @example
 * ```ts
 * if (isNexusError(err, "timeout")) console.warn("worker too slow");
 * ```
 */
export function isNexusError(err: unknown, code?: ErrorCode): err is NexusError {
  if (typeof err !== "object" || err === null || (err as { name?: unknown }).name !== "NexusError") return false;
  return code === undefined || (err as NexusError).code === code;
}
