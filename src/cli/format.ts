/** Output helpers shaped like the docker CLI's (go-units for sizes and durations, tabwriter columns). */

/** go-units HumanSizeWithPrecision(size, 3): decimal units, three significant digits ("7.84MB"). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = bytes;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** go-units HumanDuration, as `docker images` CREATED prints it ("2 hours ago"). */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.round(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.round(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.round(h / 24 / 30)} months`;
  return `${Math.round(h / 24 / 365)} years`;
}

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'N/A';
  const t = Date.parse(iso);
  if (Number.isNaN(t) || t <= 0) return 'N/A';
  return `${humanDuration(now - t)} ago`;
}

/** Go's time.RFC3339 of a time, as `docker history -H=false` prints it: whole seconds, in UTC here. */
export function rfc3339(iso: string | undefined): string {
  const t = Date.parse(iso ?? '');
  return Number.isNaN(t) ? '' : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Columns padded like Go's tabwriter with padding 3, as docker's tables are. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join('').trimEnd())
    .join('\n');
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Docker's 12-hex short form of an ID (here, not in digest.ts, to keep node:crypto out of CLI start-up). */
export function shortId(d: string): string {
  return d.replace(/^sha256:/, '').slice(0, 12);
}
