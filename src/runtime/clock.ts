/**
 * Two clocks behind one interface. The real clock is Node's: a `sleep 3600` is one timer, never a
 * busy loop, and costs nothing while it waits. The virtual clock stands still until a test or a lab
 * advances it; timers then fire in time order, each when its moment comes, with the program code it
 * wakes running before the next one fires.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once, `ms` from now; the result cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimer(ms: number, fn: () => void): () => void {
    // Node's timers take at most 2^31-1 ms; a longer sleep is a chain of them.
    const MAX = 0x7fffffff;
    let t: NodeJS.Timeout;
    const arm = (left: number) => {
      t = setTimeout(() => (left > MAX ? arm(left - MAX) : fn()), Math.min(left, MAX));
    };
    arm(Math.max(0, ms));
    return () => clearTimeout(t);
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets every promise chain that is ready run: a few turns of the event loop, no clock time. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }
  /**
   * Moves time forward by `ms`, firing each timer that falls due in order, and letting the code it
   * wakes run (which may set new timers inside the window) before the next.
   */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
  private nextDue(end: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const x of this.timers)
      if (x.at <= end && (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq))) best = x;
    return best;
  }
}
