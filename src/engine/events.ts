/**
 * The engine's event stream (`docker events`, `GET /events`): every service reports what it did to an
 * object as moby's daemon/events does: a type (image, container, volume, network), an action (load,
 * tag, untag, delete, create, start, die, ...), the object's ID and attributes, and the time. Recent
 * events are kept for `since`; subscribers get each new event as it happens.
 */
export type EventType = 'image' | 'container' | 'volume' | 'network' | 'daemon';

export interface EngineEvent {
  type: EventType;
  action: string;
  /** The object's ID (an image ID, a container ID, a volume's name, ...). */
  id: string;
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}

/** moby keeps the last 1024 events for `since` (daemon/events: eventsLimit = 256 in older, 1024 now). */
const KEEP = 1024;

export class EventBus {
  private readonly recent: EngineEvent[] = [];
  private readonly subscribers = new Set<(e: EngineEvent) => void>();
  private lastNano = 0n;

  emit(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    // strictly increasing times, so `since`/`until` can cut between two events of one millisecond
    let t = BigInt(Date.now()) * 1_000_000n;
    if (t <= this.lastNano) t = this.lastNano + 1n;
    this.lastNano = t;
    const e: EngineEvent = { type, action, id, attributes, timeNano: t };
    this.recent.push(e);
    if (this.recent.length > KEEP) this.recent.shift();
    for (const s of this.subscribers) s(e);
    return e;
  }

  /** Events kept since `sinceNano` (inclusive), oldest first. */
  since(sinceNano: bigint): EngineEvent[] {
    return this.recent.filter((e) => e.timeNano >= sinceNano);
  }

  /** Calls `fn` for each new event until the returned function is called. */
  subscribe(fn: (e: EngineEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}
