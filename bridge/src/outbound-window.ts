/**
 * Packet identifiers and the in-flight window for QoS 1 deliveries to one device.
 * MQTT 5 devices announce a Receive Maximum; the bridge never has more unacknowledged QoS 1
 * PUBLISHes in flight than that [MQTT-3.3.4-7], and queues the rest in order.
 *
 * @example
 * ```ts
 * const window = new OutboundWindow(10);
 * window.submit((id) => writePublish(id)); // runs now with a free packet id, or later when one frees
 * window.release(id); // on PUBACK
 * ```
 */
export class OutboundWindow {
  private readonly inFlight = new Set<number>();
  private readonly waiting: Array<(id: number) => void> = [];
  private next = 1;

  constructor(
    private readonly receiveMaximum: number,
    private readonly maxWaiting = 10_000,
  ) {}

  /** Number of deliveries waiting for a free slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Sends now or queues; returns false when the queue is full (the device reads too slowly). */
  submit(send: (id: number) => void): boolean {
    if (this.inFlight.size < this.receiveMaximum) {
      send(this.allocate());
      return true;
    }
    if (this.waiting.length >= this.maxWaiting) return false;
    this.waiting.push(send);
    return true;
  }

  /** Frees a packet id after its PUBACK; returns false for an id that was not in flight. */
  release(id: number): boolean {
    if (!this.inFlight.delete(id)) return false;
    const send = this.waiting.shift();
    if (send) send(this.allocate());
    return true;
  }

  private allocate(): number {
    // [MQTT-2.2.1-3] a packet identifier is unused while its QoS 1 exchange is unfinished.
    while (this.inFlight.has(this.next)) this.next = (this.next % 65535) + 1;
    const id = this.next;
    this.next = (this.next % 65535) + 1;
    this.inFlight.add(id);
    return id;
  }
}
