/** The benchmark's output: a plain table per section, loud lines for what was skipped, and the JSON document. */

export interface Row {
  what: string;
  /** Median seconds, and every run's. */
  seconds?: number;
  runs?: number[];
  mbps?: number;
  note?: string;
}

const MB = 1e6;

export function fmt(n: number | undefined, digits = 2): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

export function mbps(bytes: number, s: number): number {
  return bytes / MB / s;
}

export function table(title: string, head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`\n== ${title}`, line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Collects what is printed and what goes into the JSON document. */
export class Report {
  readonly doc: Record<string, unknown> = {};
  readonly skipped: string[] = [];
  constructor(readonly json: boolean) {}

  /** Prints unless --json (then the text goes to stderr, so stdout is one JSON document). */
  say(text: string): void {
    (this.json ? process.stderr : process.stdout).write(text + '\n');
  }

  /** One loud line for a part that did not run, and why. */
  skip(part: string, why: string): void {
    const line = `!!! SKIPPED ${part}: ${why}`;
    this.skipped.push(line);
    process.stderr.write(line + '\n');
  }
}
