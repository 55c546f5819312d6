/**
 * The allocation bitmap of one IPAM pool, kept sparse: sorted, disjoint, non-adjacent runs of set
 * ordinals. libnetwork's bitseq does the same job with run-length "sequences" of 32-bit blocks, so a
 * fresh /8 costs a few words, not 2 MiB; here a run is two numbers and memory grows with the runs,
 * which is at most the number of addresses in use (and one run when they were handed out in order).
 *
 * Ordinals are plain numbers (exact to 2^53), counted from the pool's first address.
 */
export class SparseBitmap {
  /** starts[i]..ends[i] (inclusive) are set; starts ascending, runs never touch. */
  private starts: number[] = [];
  private ends: number[] = [];
  private setCount = 0;

  constructor(readonly size: number) {}

  get count(): number {
    return this.setCount;
  }

  /** Number of runs: the memory the bitmap holds, two numbers each. */
  get runs(): number {
    return this.starts.length;
  }

  /** Index of the last run starting at or before `o`, or -1. */
  private runAtOrBefore(o: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) <= o) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  isSet(o: number): boolean {
    const i = this.runAtOrBefore(o);
    return i >= 0 && o <= (this.ends[i] as number);
  }

  /** Set one ordinal; false when it was already set. */
  set(o: number): boolean {
    if (o < 0 || o >= this.size) throw new RangeError(`ordinal ${o} outside 0..${this.size - 1}`);
    const i = this.runAtOrBefore(o);
    if (i >= 0 && o <= (this.ends[i] as number)) return false;
    const joinsLeft = i >= 0 && this.ends[i] === o - 1;
    const joinsRight = i + 1 < this.starts.length && this.starts[i + 1] === o + 1;
    if (joinsLeft && joinsRight) {
      this.ends[i] = this.ends[i + 1] as number;
      this.starts.splice(i + 1, 1);
      this.ends.splice(i + 1, 1);
    } else if (joinsLeft) this.ends[i] = o;
    else if (joinsRight) this.starts[i + 1] = o;
    else {
      this.starts.splice(i + 1, 0, o);
      this.ends.splice(i + 1, 0, o);
    }
    this.setCount++;
    return true;
  }

  /** Clear one ordinal; false when it was not set. */
  unset(o: number): boolean {
    const i = this.runAtOrBefore(o);
    if (i < 0 || o > (this.ends[i] as number)) return false;
    const start = this.starts[i] as number;
    const end = this.ends[i] as number;
    if (start === end) {
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
    } else if (o === start) this.starts[i] = o + 1;
    else if (o === end) this.ends[i] = o - 1;
    else {
      this.ends[i] = o - 1;
      this.starts.splice(i + 1, 0, o + 1);
      this.ends.splice(i + 1, 0, end);
    }
    this.setCount--;
    return true;
  }

  /** The lowest clear ordinal in from..to (inclusive), or undefined when all are set. */
  firstClear(from: number, to: number): number | undefined {
    if (from > to) return undefined;
    const i = this.runAtOrBefore(from);
    // Runs never touch, so the ordinal after a run covering `from` is clear: one step is enough.
    const candidate = i >= 0 && from <= (this.ends[i] as number) ? (this.ends[i] as number) + 1 : from;
    return candidate <= to ? candidate : undefined;
  }
}
