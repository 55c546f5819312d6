/**
 * xargs (busybox findutils/xargs.c): arguments from stdin split at blanks and newlines with quotes
 * and backslashes honoured (or at NULs with -0, or one per line with -I), run in batches (-n), the
 * command run once even on empty input unless -r. Exit 123 if a run failed, 127/126 if the command
 * could not be run.
 */
import type { ExitCode } from '../program.js';
import { applet, getopt, readAll } from './common.js';
import { runCommand } from './spawn.js';

function splitArgs(text: string): string[] | string {
  const out: string[] = [];
  let cur = '';
  let have = false;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === '\n') return `unmatched ${quote === '"' ? 'double' : 'single'} quote`;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      have = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      have = true;
    } else if (/[ \t\n]/.test(ch)) {
      if (have) out.push(cur);
      cur = '';
      have = false;
    } else {
      cur += ch;
      have = true;
    }
  }
  if (quote) return `unmatched ${quote === '"' ? 'double' : 'single'} quote`;
  if (have) out.push(cur);
  return out;
}

export const xargs = applet('xargs', async (c) => {
  const a = await getopt(c, '+trxn:s:I:0aE:e:P:', c.p.argv.slice(1));
  if (!a) return 1;
  const cmd = a.args.length > 0 ? a.args : ['echo'];
  const text = (await readAll(c.p.stdin)).toString();
  const repl = a.opts.get('I');
  let args: string[];
  if (a.opts.has('0')) args = text.split('\0').filter((s, i, all) => i < all.length - 1 || s !== '');
  else if (typeof repl === 'string') args = text.split('\n').map((l) => l.replace(/^[ \t]+/, '')).filter((l) => l !== '');
  else {
    const r = splitArgs(text);
    if (typeof r === 'string') {
      await c.error(r);
      return 1;
    }
    args = r;
  }
  if (args.length === 0 && a.opts.has('r')) return 0;
  const per = typeof repl === 'string' ? 1 : a.opts.has('n') ? Math.max(1, Number(a.opts.get('n'))) : Infinity;
  const batches: string[][] = [];
  for (let i = 0; i < args.length; i += per === Infinity ? args.length : per) batches.push(args.slice(i, i + (per === Infinity ? args.length : per)));
  if (batches.length === 0) batches.push([]);
  let status: ExitCode = 0;
  for (const b of batches) {
    const argv = typeof repl === 'string' ? cmd.map((s) => s.split(repl).join(b[0] ?? '')) : [...cmd, ...b];
    if (a.opts.has('t')) await c.p.stderr.write(argv.join(' ') + '\n');
    const code = await runCommand(c, argv);
    if (code === 126 || code === 127) return code;
    if (code === 255) {
      await c.error(`${argv[0]}: exited with status 255; aborting`);
      return 124;
    }
    if (code > 128) return 125;
    if (code !== 0) status = 123;
  }
  return status;
});
