import { CloseCode } from "../../src/protocol/codes";
import { ErrorCode, NexusError } from "./errors";

/**
 * The error for a close code after which the client must not reconnect on its own (4001, 4008, 4009),
 * or undefined for a code that allows reconnecting.
 *
 * @example
 * ```ts
 * terminalError(4009, "replaced")?.closeCode; // 4009
 * terminalError(1006, ""); // undefined: reconnect
 * ```
 */
export function terminalError(code: number, reason: string): NexusError | undefined {
  const why = reason ? `: ${reason}` : "";
  switch (code) {
    case CloseCode.tokenExpired:
      return new NexusError(ErrorCode.unauthorized, `token expired (close 4001)${why}`, { closeCode: code });
    case CloseCode.policy:
      return new NexusError(ErrorCode.forbidden, `closed by policy (close 4008)${why}`, { closeCode: code });
    case CloseCode.replaced:
      return new NexusError(ErrorCode.disconnected, `replaced by a newer connection with the same JID (close 4009)${why}`, {
        closeCode: code,
        retryable: false,
      });
    default:
      return undefined;
  }
}
