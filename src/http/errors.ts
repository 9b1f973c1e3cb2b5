import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../protocol/codes";

/**
 * The one HTTP error type: becomes `{"error":{"code","message"}}` with its status.
 *
 * @example
 * ```ts
 * throw new HttpError(401, "unauthorized", "token expired");
 * ```
 */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof HttpError) return c.json({ error: { code: err.code, message: err.message } }, err.status);
  console.error("unhandled edge error", err);
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
}
