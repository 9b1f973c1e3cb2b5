import { API_REQUEST_TOPIC, apiRequestTopic } from "./topics";

/** The options of one MQTT subscription that the bridge honours. */
export interface SubscriptionOptions {
  /** Granted QoS: 0 or 1 (QoS 2 is downgraded to 1). */
  qos: 0 | 1;
  /** MQTT 5 No Local: do not deliver the device's own channel messages back to it. */
  noLocal: boolean;
  /** MQTT 5 Retain Handling: 2 means "do not send retained messages at subscribe". */
  retainHandling: number;
}

/**
 * What one device is subscribed to, in Nexus terms: channels, served methods, Directs, and the
 * private topics (API results, its own inboxes). This is session state, not routing state: the edge
 * does all routing (the device's SDK client restores channels and methods after an edge reconnect),
 * and these options decide how a delivery is written to the device.
 *
 * @example
 * ```ts
 * const subs = new DeviceSubscriptions();
 * subs.addServe("nexus/api-request/sum", "sum", opts);
 * subs.servedMethods(); // ["sum"]
 * ```
 */
export class DeviceSubscriptions {
  readonly channels = new Map<string, SubscriptionOptions>();
  /** Filter -> method (`*` for every method). */
  private readonly serves = new Map<string, { method: string; options: SubscriptionOptions }>();
  direct: SubscriptionOptions | undefined;
  /** Filters under nexus/api-result/ and inbox filters (answers are delivered whether or not they match). */
  readonly results = new Map<string, SubscriptionOptions>();

  addServe(filter: string, method: string, options: SubscriptionOptions): void {
    this.serves.set(filter, { method, options });
  }

  removeServe(filter: string): boolean {
    return this.serves.delete(filter);
  }

  /** The method a serve filter stands for, if the device subscribed to it. */
  servedBy(filter: string): string | undefined {
    return this.serves.get(filter)?.method;
  }

  /** True while some filter still serves `method` (exactly, or "*"). */
  servesMethod(method: string): boolean {
    for (const entry of this.serves.values()) if (entry.method === method) return true;
    return false;
  }

  /** The `methods` of the `serve` frame that matches the current filters. */
  servedMethods(): string[] {
    const methods = new Set<string>();
    for (const { method } of this.serves.values()) {
      if (method === "*") return ["*"];
      methods.add(method);
    }
    return [...methods];
  }

  /**
   * The topic and QoS an API request for `method` is delivered on: the exact method's topic when
   * the device subscribed to it (or to `nexus/api-request/#`), else the bare `nexus/api-request`.
   */
  requestDelivery(method: string): { topic: string; qos: 0 | 1 } | undefined {
    const exact = this.serves.get(apiRequestTopic(method));
    if (exact) return { topic: apiRequestTopic(method), qos: exact.options.qos };
    const multi =
      this.serves.get(`${API_REQUEST_TOPIC}/#`) ?? (method.includes("/") ? undefined : this.serves.get(`${API_REQUEST_TOPIC}/+`));
    if (multi) return { topic: apiRequestTopic(method), qos: multi.options.qos };
    const bare = this.serves.get(API_REQUEST_TOPIC);
    if (bare) return { topic: API_REQUEST_TOPIC, qos: bare.options.qos };
    // Served through a filter that does not cover this method's topic (e.g. "+" with a "/" in the method).
    const any = this.serves.values().next().value;
    return any ? { topic: apiRequestTopic(method), qos: any.options.qos } : undefined;
  }
}
