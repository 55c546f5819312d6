/**
 * Builtins that read, write and signal: echo, printf, test/[, read, kill, wait, let, getopts.
 * echo, printf, test and kill are busybox applets run in the shell (NOFORK), so their messages
 * are the applets' with the applet name "sh" (bb_error_msg), not ash's "sh: name: line N:".
 */
import { isKilled, isSysErrno } from '../errno.js';
import { killMain } from '../programs/kill.js';
import { ArithError, evalArith } from './arith.js';
import type { Builtin } from './builtins.js';
import { ShellError } from './expand.js';
import { echo, printf } from './printf.js';
import type { Shell } from './shell.js';
import { runTest } from './test-expr.js';

const test: Builtin = async (sh, argv) => {
  const r = await runTest(argv, sh.fs, sh.ctx.cred.uid);
  if (r.error) await sh.write(2, `sh: ${r.error}\n`);
  return r.status;
};

/** Reads one line from fd 0 a byte at a time (a pipe must keep what follows for the next reader). */
async function readLine(sh: Shell, raw: boolean): Promise<{ line: string; eof: boolean; signal?: number }> {
  const input = sh.fds.get(0);
  const bytes: number[] = [];
  if (!input || !('read' in input)) return { line: '', eof: true };
  for (;;) {
    let b: Uint8Array | null;
    try {
      b = await input.read(1);
    } catch (e) {
      if (isSysErrno(e, 'EINTR')) {
        const sigs = sh.ctx.sys.takeSignals();
        sh.deferredSignals.push(...sigs);
        return { line: '', eof: true, signal: sigs[0] ?? 0 };
      }
      throw e;
    }
    if (b === null || b.length === 0) return { line: Buffer.from(bytes).toString('utf8'), eof: true };
    const c = b[0]!;
    if (c === 0x0a) {
      if (!raw && bytes[bytes.length - 1] === 0x5c) {
        bytes.pop();
        continue;
      }
      return { line: Buffer.from(bytes).toString('utf8'), eof: false };
    }
    bytes.push(c);
  }
}

/** Splits a read line into variables by IFS; the last gets the rest, trailing IFS whitespace trimmed. */
function assignFields(sh: Shell, line: string, names: string[], raw: boolean): void {
  const ifs = sh.vars.get('IFS') ?? ' \t\n';
  const white = (c: string) => ifs.includes(c) && ' \t\n'.includes(c);
  const isIfs = (c: string) => ifs.includes(c);
  let i = 0;
  const unesc = (s: string) => (raw ? s : s.replace(/\\(.)/g, '$1'));
  while (i < line.length && white(line[i]!)) i++;
  for (let n = 0; n < names.length; n++) {
    const name = names[n]!;
    if (n === names.length - 1) {
      let rest = line.slice(i);
      let end = rest.length;
      while (end > 0 && white(rest[end - 1]!) && !(end > 1 && rest[end - 2] === '\\' && !raw)) end--;
      rest = rest.slice(0, end);
      // A single trailing non-white IFS character is dropped with the last field (POSIX read).
      sh.setVar(name, unesc(rest));
      return;
    }
    let field = '';
    while (i < line.length && !isIfs(line[i]!)) {
      if (!raw && line[i] === '\\' && i + 1 < line.length) {
        field += line[i + 1];
        i += 2;
        continue;
      }
      field += line[i++];
    }
    sh.setVar(name, field);
    while (i < line.length && white(line[i]!)) i++;
    if (i < line.length && isIfs(line[i]!) && !white(line[i]!)) {
      i++;
      while (i < line.length && white(line[i]!)) i++;
    }
  }
}

const read: Builtin = async (sh, argv) => {
  let raw = false;
  let i = 1;
  let prompt = '';
  for (; i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '-'; i++) {
    const a = argv[i]!;
    if (a === '-r') raw = true;
    else if (a === '-p') prompt = argv[++i] ?? '';
    else if (a === '--') {
      i++;
      break;
    }
  }
  const names = argv.slice(i);
  if (names.length === 0) names.push('REPLY');
  if (prompt) await sh.write(2, prompt);
  const r = await readLine(sh, raw);
  if (r.signal !== undefined) return 128 + r.signal;
  assignFields(sh, names.length === 1 && names[0] === 'REPLY' && argv.length === 1 ? r.line : r.line, names, raw);
  return r.eof ? 1 : 0;
};

const kill: Builtin = async (sh, argv) => {
  const io = {
    out: (s: string) => sh.write(1, s),
    err: (s: string) => sh.write(2, s),
  };
  // `kill %N` names a job; this shell's jobs are its background pids in order.
  const args = argv.map((a, k) => (k > 0 && a.startsWith('%') ? String(sh.jobs.specPid(a) ?? a) : a));
  return killMain('sh', args, sh.ctx.sys, io);
};

const wait: Builtin = async (sh, argv) => {
  const pids = argv.slice(1).map((a) => {
    if (a.startsWith('%')) {
      const pid = sh.jobs.specPid(a);
      // ash getjob's words: the current and previous job have their own
      if (pid === undefined) throw new ShellError(a === '%-' ? 'No previous job' : ['%', '%%', '%+'].includes(a) ? 'No current job' : `${a}: no such job`);
      return pid;
    }
    if (!/^\d+$/.test(a)) throw new ShellError(`Illegal number: ${a}`);
    return Number(a);
  });
  return sh.jobs.wait(pids.length ? pids : null);
};

const letCmd: Builtin = async (sh, argv) => {
  let v = 0n;
  for (const e of argv.slice(1)) {
    try {
      v = evalArith(e, { get: (n) => sh.vars.get(n), set: (n, x) => sh.setVar(n, x) });
    } catch (err) {
      if (err instanceof ArithError) throw new ShellError(err.message);
      throw err;
    }
  }
  return v === 0n ? 1 : 0;
};

const getopts: Builtin = async (sh, argv) => {
  const optstring = argv[1] ?? '';
  const name = argv[2];
  if (name === undefined) throw new ShellError('usage: getopts optstring var [arg]');
  const args = argv.length > 3 ? argv.slice(3) : sh.params;
  let ind = Number(sh.vars.get('OPTIND') ?? '1') || 1;
  let sub = sh.optSub;
  const silent = optstring.startsWith(':');
  const arg = args[ind - 1];
  if (arg === undefined || arg === '-' || !arg.startsWith('-') || (sub === 0 && arg === '--')) {
    if (arg === '--') sh.setVar('OPTIND', String(ind + 1));
    sh.setVar(name, '?');
    sh.optSub = 0;
    return 1;
  }
  if (sub === 0) sub = 1;
  const c = arg[sub]!;
  sub++;
  const at = optstring.indexOf(c);
  const next = () => {
    if (sub >= arg.length) {
      ind++;
      sub = 0;
    }
  };
  if (at < 0 || c === ':') {
    sh.setVar(name, '?');
    if (silent) sh.setVar('OPTARG', c);
    else await sh.write(2, `sh: illegal option -- ${c}\n`);
    next();
  } else if (optstring[at + 1] === ':') {
    let val: string | undefined;
    if (sub < arg.length) val = arg.slice(sub);
    else val = args[ind++];
    sub = 0;
    ind += sub === 0 && val !== undefined && arg.length > 2 && val === arg.slice(2) ? 1 : 0;
    if (val === undefined) {
      if (silent) {
        sh.setVar(name, ':');
        sh.setVar('OPTARG', c);
      } else {
        await sh.write(2, `sh: option requires an argument -- ${c}\n`);
        sh.setVar(name, '?');
      }
    } else {
      sh.setVar(name, c);
      sh.setVar('OPTARG', val);
    }
  } else {
    sh.setVar(name, c);
    next();
  }
  sh.optSub = sub;
  sh.setVar('OPTIND', String(ind));
  return 0;
};

export const IO_BUILTINS: Record<string, Builtin> = {
  echo: async (sh, argv) => {
    await sh.write(1, echo(argv.slice(1)));
    return 0;
  },
  printf: async (sh, argv) => {
    if (argv.length < 2) {
      await sh.write(2, 'printf: usage: printf FORMAT [ARGUMENT]...\n');
      return 1;
    }
    const r = printf(argv[1]!, argv.slice(2));
    for (const e of r.errors) await sh.write(2, `sh: ${e}\n`);
    await sh.write(1, r.out);
    return r.errors.length ? 1 : 0;
  },
  test,
  '[': test,
  read,
  kill,
  wait,
  let: letCmd,
  getopts,
};

export { isKilled };
