import { ERROR_TABLE, type ErrorCode } from "../../src/protocol/codes";

/**
 * The bridge's one error class: a Nexus wire code, whether retrying can help, and the cause.
 *
 * @example
 * ```ts
 * throw new BridgeError("unauthorized", "the edge refused the token (HTTP 401)", { status: 401 });
 * ```
 */
export class BridgeError extends Error {
  override readonly name = "BridgeError";
  readonly code: ErrorCode | (string & {});
  readonly retryable: boolean;
  /** The HTTP status of a refused upgrade, when that is what failed. */
  readonly status: number | undefined;

  constructor(code: ErrorCode | (string & {}), message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = (ERROR_TABLE as Record<string, { retryable: boolean }>)[code]?.retryable ?? false;
    this.status = options.status;
  }
}
