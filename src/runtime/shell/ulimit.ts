/**
 * ash's `ulimit` (busybox shell/shell_common.c shell_builtin_ulimit, 1.35): getopt over -H, -S, -a
 * and one letter per resource, each taking an optional value (attached, or the next word when it
 * does not start with '-'); a bare word is a value for -f. Values are shown and set in the
 * resource's unit (512-byte blocks, KiB or a count). Setting without -H or -S sets both limits.
 * With more than one resource letter each value printed is labelled as in the -a table. Messages
 * and exit codes were compared with busybox 1.35 on this host.
 */
import { strerror, SysError } from '../errno.js';
import { UNLIMITED, type Resource } from '../rlimits.js';
import type { Builtin } from './builtins.js';
import type { Shell } from './shell.js';

interface Row {
  c: string;
  res: Resource;
  label: string;
  shift: number;
}

/** The -a table in busybox's order, with its labels and units (shift: bytes to the unit shown). */
const ROWS: Row[] = [
  { c: 'c', res: 'core', label: 'core file size (blocks)', shift: 9 },
  { c: 'd', res: 'data', label: 'data seg size (kb)', shift: 10 },
  { c: 'e', res: 'nice', label: 'scheduling priority', shift: 0 },
  { c: 'f', res: 'fsize', label: 'file size (blocks)', shift: 9 },
  { c: 'i', res: 'sigpending', label: 'pending signals', shift: 0 },
  { c: 'l', res: 'memlock', label: 'max locked memory (kb)', shift: 10 },
  { c: 'm', res: 'rss', label: 'max memory size (kb)', shift: 10 },
  { c: 'n', res: 'nofile', label: 'open files', shift: 0 },
  { c: 'q', res: 'msgqueue', label: 'POSIX message queues (bytes)', shift: 0 },
  { c: 'r', res: 'rtprio', label: 'real-time priority', shift: 0 },
  { c: 's', res: 'stack', label: 'stack size (kb)', shift: 10 },
  { c: 't', res: 'cpu', label: 'cpu time (seconds)', shift: 0 },
  { c: 'u', res: 'nproc', label: 'max user processes', shift: 0 },
  { c: 'v', res: 'as', label: 'virtual memory (kb)', shift: 10 },
  { c: 'x', res: 'locks', label: 'file locks', shift: 0 },
];

/** One parsed option: H, S, a, or a resource row with the value given for it (null: show). */
type Opt = { c: 'H' | 'S' | 'a' } | { row: Row; value: string | null; letter: boolean };

const rowOf = (c: string) => ROWS.find((r) => r.c === c);

/** getopt's pass over the words; the first bad letter is the error getopt prints. */
function parse(args: readonly string[]): Opt[] | string {
  const out: Opt[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      for (const w of args.slice(i + 1)) out.push({ row: rowOf('f')!, value: w, letter: false });
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      out.push({ row: rowOf('f')!, value: a, letter: false }); // a bare word: getopt's "-" optstring hands it over as -f's value
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (c === 'H' || c === 'S' || c === 'a') {
        out.push({ c });
        continue;
      }
      const row = rowOf(c);
      if (!row) return c;
      let value: string | null = a.slice(j + 1) || null;
      const next = args[i + 1];
      if (value === null && next !== undefined && !next.startsWith('-')) {
        value = next;
        i++;
      }
      out.push({ row, value, letter: true });
      break;
    }
  }
  return out;
}

const show = (n: number, shift: number) => (n === UNLIMITED ? 'unlimited' : String(Math.floor(n / 2 ** shift)));

async function showRow(sh: Shell, row: Row, hard: boolean, label: boolean): Promise<void> {
  const l = sh.ctx.sys.getrlimit(row.res);
  const head = label ? `${row.label.padEnd(32)}(-${row.c}) ` : '';
  await sh.write(1, `${head}${show(hard ? l.hard : l.soft, row.shift)}\n`);
}

/** Sets a limit; the message on failure, or null. */
function setRow(sh: Shell, row: Row, value: string, hard: boolean, soft: boolean): string | null {
  let n: number;
  if (value === 'unlimited') n = UNLIMITED;
  else if (/^\d+$/.test(value)) n = Number(value) * 2 ** row.shift;
  else return `sh: invalid number '${value}'\n`;
  const cur = sh.ctx.sys.getrlimit(row.res);
  const both = !hard && !soft;
  try {
    sh.ctx.sys.setrlimit(row.res, { soft: soft || both ? n : cur.soft, hard: hard || both ? n : cur.hard });
  } catch (e) {
    if (e instanceof SysError) return `sh: error setting limit: ${strerror(e)}\n`;
    throw e;
  }
  return null;
}

export const ulimit: Builtin = async (sh, argv) => {
  const opts = parse(argv.slice(1));
  if (typeof opts === 'string') {
    await sh.write(2, `ulimit: invalid option -- '${opts}'\n`);
    return 1;
  }
  const label = opts.filter((o) => 'row' in o && o.letter).length > 1;
  let hard = false;
  let soft = false;
  let did = false;
  for (const o of opts) {
    if ('c' in o) {
      if (o.c === 'H') hard = true;
      else if (o.c === 'S') soft = true;
      else {
        for (const row of ROWS) await showRow(sh, row, hard, true);
        return 0;
      }
      continue;
    }
    did = true;
    if (o.value === null) await showRow(sh, o.row, hard, label);
    else {
      const err = setRow(sh, o.row, o.value, hard, soft);
      if (err) {
        await sh.write(2, err);
        return 1;
      }
    }
  }
  if (!did) await showRow(sh, rowOf('f')!, hard, false);
  return 0;
};
