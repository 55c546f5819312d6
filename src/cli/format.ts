import { tabwrite } from './template/docker-format.js';

/** Output helpers shaped like the docker CLI's (go-units for sizes and durations, tabwriter columns). */

/** go-units HumanSizeWithPrecision(size, 3): decimal units, three significant digits ("7.84MB"); HumanSize is 4. */
export function humanSize(bytes: number, precision = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = bytes;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(precision))}${units[i]}`;
}

/**
 * go-units HumanDuration, as `docker images` CREATED prints it ("2 hours ago"): seconds and minutes
 * truncated, hours rounded, then days, weeks, months and years by integer division of those hours.
 */
export function humanDuration(ms: number): string {
  const s = Math.trunc(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.trunc(ms / 60_000);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(ms / 3_600_000);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.trunc(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.trunc(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.trunc(h / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
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

/** Columns as docker's tables print them: Go's tabwriter, minwidth 10 and padding 3. */
export function table(header: string[], rows: string[][]): string {
  return tabwrite([header, ...rows].map((r) => r.join('\t')).join('\n'));
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Docker's 12-hex short form of an ID (here, not in digest.ts, to keep node:crypto out of CLI start-up). */
export function shortId(d: string): string {
  return d.replace(/^sha256:/, '').slice(0, 12);
}

/** Go's time.Time.String() of a time in UTC, as docker's CreatedAt shows it: `2026-11-22 19:19:08 +0000 UTC`. */
export function goTimeString(iso: string | undefined): string {
  const t = Date.parse(iso ?? '');
  return Number.isNaN(t) ? '' : `${new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '')} +0000 UTC`;
}
