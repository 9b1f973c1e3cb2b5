import { ErrorCode, NexusError } from "../../sdk/src/core";

/** Answers older than the edge's own call timeout (plus a margin) can no longer reach a caller. */
const ANSWER_MARGIN_MS = 5000;

interface OpenRequest {
  resolve(data: unknown): void;
  reject(err: NexusError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** A device's answer to an API request. */
export type ApiAnswer = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * The API requests one device has received and not yet answered, by `rid`. The device's SDK client
 * serves them with handlers that wait here for the device's MQTT answer; only the connection that
 * received a request can answer it, and a request the device never answers is forgotten after the
 * edge's call timeout. Bounded: a device that stops answering gets further requests failed at once.
 *
 * @example
 * ```ts
 * const open = new OpenRequests(1000, () => 30_000);
 * const answered = open.wait("r9", () => publishToDevice()); // resolves with the device's data
 * open.answer("r9", { ok: true, data: 3 });
 * ```
 */
export class OpenRequests {
  private readonly requests = new Map<string, OpenRequest>();

  constructor(
    private readonly max: number,
    private readonly apiTimeoutMs: () => number,
  ) {}

  /** Registers `rid`, then delivers it; resolves with the device's answer, rejects with its error. */
  wait(rid: string, deliver: () => void): Promise<unknown> {
    if (this.requests.size >= this.max) {
      return Promise.reject(new NexusError(ErrorCode.app_error, "the device has too many unanswered requests"));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // The edge has answered the caller with `timeout` by now.
        this.requests.delete(rid);
        reject(new NexusError(ErrorCode.timeout, "the device did not answer in time"));
      }, this.apiTimeoutMs() + ANSWER_MARGIN_MS);
      this.requests.set(rid, { resolve, reject, timer });
      deliver();
    });
  }

  /** True while `rid` waits for this device's answer. */
  has(rid: string): boolean {
    return this.requests.has(rid);
  }

  /** Settles `rid` with the device's answer; false when no such request waits here. */
  answer(rid: string, answer: ApiAnswer): boolean {
    const request = this.requests.get(rid);
    if (!request) return false;
    this.requests.delete(rid);
    clearTimeout(request.timer);
    if (answer.ok) request.resolve(answer.data);
    else request.reject(new NexusError(answer.error.code, answer.error.message));
    return true;
  }

  /** Forgets every request (the session closed; its answers can no longer be sent). */
  clear(): void {
    for (const request of this.requests.values()) clearTimeout(request.timer);
    this.requests.clear();
  }
}
