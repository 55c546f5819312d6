/**
 * `docker top C [ps OPTIONS]`: moby runs the host's procps `ps` with the options (default `-ef`),
 * keeps the rows whose PID column names a process of the container, and answers the header as
 * Titles and each row split into that many fields (the last takes the rest). boxlab prints the
 * container's processes as procps would, for the formats people use: `-ef`, `aux`, `-e`, `-o LIST`.
 */
import { BoxlabError } from '../../errors.js';
import type { TaskProcess } from './task.js';

type Field = (p: TaskProcess, now: number) => string;

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const args = (p: TaskProcess) => p.argv.join(' ');
const comm = (p: TaskProcess) => (p.argv[0] ?? '').split('/').pop()!.slice(0, 15);
const user = (p: TaskProcess) => (p.uid === 0 ? 'root' : String(p.uid));

/** procps format specifiers: header and value. */
const FIELDS: Record<string, [string, Field]> = {
  uid: ['UID', (p) => String(p.uid)],
  user: ['USER', user],
  euser: ['EUSER', user],
  pid: ['PID', (p) => String(p.pid)],
  ppid: ['PPID', (p) => String(p.ppid)],
  c: ['C', () => '0'],
  pcpu: ['%CPU', () => '0.0'],
  '%cpu': ['%CPU', () => '0.0'],
  pmem: ['%MEM', () => '0.0'],
  '%mem': ['%MEM', () => '0.0'],
  vsz: ['VSZ', () => '1600'],
  rss: ['RSS', () => '4'],
  stime: ['STIME', (p) => hhmm(p.startTime)],
  start: ['START', (p) => hhmm(p.startTime)],
  tty: ['TT', () => '?'],
  stat: ['STAT', (p) => (p.state === 'R' ? 'R' : p.state === 'T' ? 'T' : p.state === 'Z' ? 'Z' : 'S') + (p.ppid === 0 ? 's' : '')],
  s: ['S', (p) => p.state],
  time: ['TIME', () => '00:00:00'],
  etime: ['ELAPSED', (p, now) => elapsed(now - p.startTime)],
  comm: ['COMMAND', comm],
  ucomm: ['COMMAND', comm],
  args: ['COMMAND', args],
  cmd: ['CMD', args],
  command: ['COMMAND', args],
};

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${String(Math.floor(s / 3600)).padStart(2, '0')}:${mm}:${ss}` : `${mm}:${ss}`;
}

function columns(psArgs: string): { titles: string[]; fields: Field[] } {
  const words = psArgs.trim().split(/\s+/).filter(Boolean);
  const o = words.findIndex((w) => /^-\w*o$/.test(w));
  if (o >= 0) {
    const spec = words.slice(o + 1).join(',');
    const out = { titles: [] as string[], fields: [] as Field[] };
    for (const raw of spec.split(',').filter(Boolean)) {
      const [name, header] = raw.split('=', 2) as [string, string?];
      const f = FIELDS[name.toLowerCase()];
      if (!f) throw new BoxlabError('Unavailable', `Error running ps: exit status 1: error: unknown user-defined format specifier "${name}"`);
      out.titles.push(header ?? f[0]);
      out.fields.push(f[1]);
    }
    return out;
  }
  const pick = (names: string[], titles?: string[]) => ({
    titles: titles ?? names.map((n) => FIELDS[n]![0]),
    fields: names.map((n) => FIELDS[n]![1]),
  });
  if (words.some((w) => /^-?a?ux$|^aux$/.test(w)))
    return pick(['user', 'pid', '%cpu', '%mem', 'vsz', 'rss', 'tty', 'stat', 'start', 'time', 'command'], ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND']);
  if (words.some((w) => /^-\w*f/.test(w)))
    return pick(['uid', 'pid', 'ppid', 'c', 'stime', 'tty', 'time', 'cmd'], ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  return pick(['pid', 'tty', 'time', 'cmd'], ['PID', 'TTY', 'TIME', 'CMD']);
}

export function top(procs: readonly TaskProcess[], psArgs = '-ef', now = Date.now()): { Titles: string[]; Processes: string[][] } {
  const { titles, fields } = columns(psArgs || '-ef');
  // moby: "Couldn't find PID field in ps output" when the header has no PID column
  if (!titles.includes('PID')) throw new BoxlabError('Unavailable', "Couldn't find PID field in ps output");
  const uidIsName = titles[0] === 'UID';
  return {
    Titles: titles,
    Processes: procs.map((p) => fields.map((f, i) => (i === 0 && uidIsName ? user(p) : f(p, now)))),
  };
}
