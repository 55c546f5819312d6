/**
 * The shell's builtins, with busybox ash's behaviour and messages. Special builtins (POSIX 2.14)
 * keep their prefix assignments and end the shell on an error; the others report and return 2.
 * The I/O builtins (echo, printf, test, read, kill, ...) are in builtins-io.ts.
 */
import { posix } from 'node:path';
import { isKilled } from '../errno.js';
import { strerror } from '../errno.js';
import { parseSignal, signalName } from '../signals.js';
import { IO_BUILTINS } from './builtins-io.js';
import { execFailure, findCommand, runByName, runsInProcess } from './command.js';
import { BreakLoop, ContinueLoop, ExitShell, ReturnFn } from './control.js';
import { ShellError } from './expand.js';
import { isName } from './lexer.js';
import { stdio, withRedirs } from './redir.js';
import type { Shell } from './shell.js';
import { ReadonlyError } from './vars.js';
import { ulimit } from './ulimit.js';

export type Builtin = (sh: Shell, argv: string[]) => Promise<number>;

export const SPECIAL_BUILTINS = new Set([':', '.', 'break', 'continue', 'eval', 'exec', 'exit', 'export', 'readonly', 'return', 'set', 'shift', 'times', 'trap', 'unset', 'local']);

/** ash's single_quote(): '...' with each ' written as '"'"'. */
export function singleQuote(s: string): string {
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

function number(s: string): number {
  if (!/^\d+$/.test(s)) throw new ShellError(`Illegal number: ${s}`);
  return Number(s);
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ReadonlyError) throw new ShellError(e.message);
    throw e;
  }
}

async function listVars(sh: Shell, prefix: string, pick: (v: { exported: boolean; readonly: boolean }) => boolean): Promise<void> {
  const rows = sh.vars
    .entries()
    .filter(([, v]) => pick(v))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${prefix}${k}${v.value === undefined ? '' : '=' + singleQuote(v.value)}\n`);
  await sh.write(1, rows.join(''));
}

const exportLike = (kind: 'export' | 'readonly'): Builtin => async (sh, argv) => {
  const args = argv.slice(1).filter((a) => a !== '-p');
  if (args.length === 0) {
    await listVars(sh, `${kind} `, (v) => (kind === 'export' ? v.exported : v.readonly));
    return 0;
  }
  for (const a of args) {
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (!isName(name)) throw new ShellError(`${name}: bad variable name`);
    const value = eq < 0 ? undefined : a.slice(eq + 1);
    guard(() => (kind === 'export' ? sh.vars.export(name, value) : sh.vars.readonly(name, value)));
  }
  return 0;
};

const OPTION_LETTERS: Record<string, keyof Shell['opts']> = { e: 'errexit', u: 'nounset', x: 'xtrace', f: 'noglob', C: 'noclobber', n: 'noexec' };
const OPTION_NAMES: Record<string, keyof Shell['opts']> = { errexit: 'errexit', nounset: 'nounset', xtrace: 'xtrace', noglob: 'noglob', noclobber: 'noclobber', noexec: 'noexec' };

const set: Builtin = async (sh, argv) => {
  if (argv.length === 1) {
    await listVars(sh, '', (v) => v !== undefined);
    return 0;
  }
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      sh.params = argv.slice(i);
      return 0;
    }
    if (a === '-' ) {
      sh.opts.xtrace = false;
      continue;
    }
    if (!/^[-+]/.test(a)) break;
    const on = a[0] === '-';
    if (a.slice(1) === 'o') {
      const name = argv[++i];
      if (name === undefined) {
        for (const [n, k] of Object.entries(OPTION_NAMES)) await sh.write(1, `${n.padEnd(16)}${sh.opts[k] ? 'on' : 'off'}\n`);
        continue;
      }
      const k = OPTION_NAMES[name];
      if (!k) throw new ShellError(`-o: illegal option ${name}`);
      sh.opts[k] = on;
      continue;
    }
    for (const f of a.slice(1)) {
      const k = OPTION_LETTERS[f];
      if (!k) throw new ShellError(`illegal option ${a[0]}${f}`);
      sh.opts[k] = on;
    }
  }
  if (i < argv.length) sh.params = argv.slice(i);
  return 0;
};

const unset: Builtin = async (sh, argv) => {
  let funcs = false;
  let i = 1;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    if (argv[i] === '-f') funcs = true;
    else if (argv[i] === '-v') funcs = false;
    else throw new ShellError(`illegal option ${argv[i]}`);
  }
  for (const n of argv.slice(i)) {
    if (funcs) sh.funcs.delete(n);
    else guard(() => sh.vars.unset(n));
  }
  return 0;
};

const trap: Builtin = async (sh, argv) => {
  const args = argv.slice(1);
  if (args[0] === '--') args.shift();
  if (args.length === 0) {
    const rows = [...sh.traps.entries()].sort(([a], [b]) => a - b).map(([sig, act]) => `trap -- ${singleQuote(act)} ${sig === 0 ? 'EXIT' : signalName(sig)}\n`);
    await sh.write(1, rows.join(''));
    return 0;
  }
  // A first argument that is a signal number means: reset these signals (POSIX).
  const reset = /^\d+$/.test(args[0]!) || args[0] === '-';
  const action = reset ? null : args.shift()!;
  if (args[0] === '-' && reset) args.shift();
  let status = 0;
  for (const spec of args) {
    const sig = spec.toUpperCase() === 'EXIT' ? 0 : parseSignal(spec);
    if (sig === undefined) {
      await sh.error(`${spec}: invalid signal specification`);
      status = 1;
      continue;
    }
    if (action === null) sh.traps.delete(sig);
    else sh.traps.set(sig, action);
    if (sig !== 0) {
      try {
        sh.ctx.sys.setDisposition(sig, action === null ? 'default' : action === '' ? 'ignore' : 'catch');
      } catch (e) {
        if (isKilled(e)) throw e; // SIGKILL and SIGSTOP stay as they are
      }
    }
  }
  return status;
};

const cd: Builtin = async (sh, argv) => {
  let arg = argv.slice(1).find((a) => a !== '-L' && a !== '-P');
  let print = false;
  if (arg === undefined) arg = sh.vars.get('HOME') ?? '/';
  else if (arg === '-') {
    arg = sh.vars.get('OLDPWD') ?? sh.ctx.cwd;
    print = true;
  }
  const pwd = sh.vars.get('PWD') ?? sh.ctx.cwd;
  const target = posix.resolve(pwd.startsWith('/') ? pwd : sh.ctx.cwd, arg);
  try {
    await sh.ctx.sys.chdir(target);
  } catch (e) {
    if (isKilled(e)) throw e;
    throw new ShellError(`can't cd to ${arg}: ${strerror(e)}`);
  }
  guard(() => {
    sh.vars.export('OLDPWD', pwd);
    sh.vars.export('PWD', target);
  });
  if (print) await sh.write(1, target + '\n');
  return 0;
};

const dot: Builtin = async (sh, argv) => {
  const name = argv[1];
  if (name === undefined) return 0;
  let path = name;
  if (!name.includes('/')) {
    const found = await findCommand(sh, name).catch(() => null);
    if (found && 'req' in found && found.req.path) path = found.req.path;
  }
  let text: string;
  try {
    const r = await sh.fs.openRead(path);
    const parts: Uint8Array[] = [];
    for (let b = await r.read(); b; b = await r.read()) parts.push(b);
    r.close();
    text = Buffer.concat(parts).toString('utf8');
  } catch (e) {
    if (isKilled(e)) throw e;
    throw new ShellError(`can't open '${name}': ${strerror(e)}`);
  }
  const saved = sh.params;
  if (argv.length > 2) sh.params = argv.slice(2);
  try {
    return await sh.evalString(text, 0, 1);
  } catch (e) {
    if (e instanceof ReturnFn && sh.funcDepth === 0) return e.status;
    throw e;
  } finally {
    if (argv.length > 2) sh.params = saved;
  }
};

const exec: Builtin = async (sh, argv) => {
  if (argv.length < 2) return 0;
  const args = argv.slice(1);
  const found = await findCommand(sh, args[0]!);
  if ('error' in found) {
    await sh.error(found.error);
    throw new ExitShell(found.status);
  }
  try {
    const code = await sh.ctx.sys.exec({ ...found.req, argv: args, env: sh.vars.environ(), noexec: runsInProcess(found.req), ...stdio(sh) });
    throw new ExitShell(code);
  } catch (e) {
    if (e instanceof ExitShell || isKilled(e)) throw e;
    const f = execFailure(args[0]!, e);
    await sh.error(f.error);
    throw new ExitShell(f.status);
  }
};

const loopCtl = (kind: 'break' | 'continue'): Builtin => async (sh, argv) => {
  const n = argv[1] === undefined ? 1 : number(argv[1]);
  if (n === 0) throw new ShellError(`Illegal number: ${argv[1]}`);
  if (sh.loopDepth === 0) return 0;
  const k = Math.min(n, sh.loopDepth);
  throw kind === 'break' ? new BreakLoop(k) : new ContinueLoop(k);
};

const CORE: Record<string, Builtin> = {
  ':': async () => 0,
  true: async () => 0,
  false: async () => 1,
  exit: async (sh, argv) => {
    const st = argv[1] === undefined ? (sh.savedStatus ?? sh.status) : number(argv[1]) & 0xff;
    throw new ExitShell(st);
  },
  return: async (sh, argv) => {
    throw new ReturnFn(argv[1] === undefined ? sh.status : number(argv[1]) & 0xff);
  },
  break: loopCtl('break'),
  continue: loopCtl('continue'),
  export: exportLike('export'),
  readonly: exportLike('readonly'),
  set,
  unset,
  shift: async (sh, argv) => {
    const n = argv[1] === undefined ? 1 : number(argv[1]);
    if (n > sh.params.length) return 1;
    sh.params = sh.params.slice(n);
    return 0;
  },
  eval: async (sh, argv) => {
    const saved = sh.commandname;
    const status = await sh.evalString(argv.slice(1).join(' '));
    sh.commandname = saved;
    return status;
  },
  '.': dot,
  source: dot,
  exec,
  trap,
  times: async (sh) => {
    await sh.write(1, '0m0.00s 0m0.00s\n0m0.00s 0m0.00s\n');
    return 0;
  },
  local: async (sh, argv) => {
    if (!sh.vars.inFunction) throw new ShellError('not in a function');
    for (const a of argv.slice(1)) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (!isName(name)) throw new ShellError(`${name}: bad variable name`);
      sh.vars.makeLocal(name);
      if (eq >= 0) guard(() => sh.vars.set(name, a.slice(eq + 1)));
    }
    return 0;
  },
  cd,
  chdir: cd,
  pwd: async (sh) => {
    await sh.write(1, (sh.vars.get('PWD') ?? sh.ctx.cwd) + '\n');
    return 0;
  },
  hash: async () => 0,
  umask: async (sh, argv) => {
    if (argv[1] === undefined) await sh.write(1, sh.umask.toString(8).padStart(4, '0') + '\n');
    else sh.umask = parseInt(argv[1], 8) & 0o777;
    return 0;
  },
  command: async (sh, argv) => {
    const args = argv.slice(1);
    if (args[0] === '-v' || args[0] === '-V') {
      const verbose = args[0] === '-V';
      // ash's commandcmd describes only the first name.
      const name = args[1];
      return name === undefined || (await describe(sh, name, verbose)) ? 0 : 127;
    }
    if (args.length === 0) return 0;
    return runByName(sh, args);
  },
  type: async (sh, argv) => {
    let st = 0;
    for (const name of argv.slice(1)) if (!(await describe(sh, name, true))) st = 127;
    return st;
  },
  ulimit,
  ...IO_BUILTINS,
};

/** `type` and `command -v`: what a name runs. */
async function describe(sh: Shell, name: string, verbose: boolean): Promise<boolean> {
  let what: string | null = null;
  if (sh.funcs.has(name)) what = verbose ? `${name} is a function` : name;
  else if (SPECIAL_BUILTINS.has(name)) what = verbose ? `${name} is a special shell builtin` : name;
  else if (BUILTINS.has(name)) what = verbose ? `${name} is a shell builtin` : name;
  else {
    const f = await findCommand(sh, name);
    if ('req' in f) {
      const where = f.req.path ?? f.req.applet!;
      what = verbose ? `${name} is ${where}` : where;
    }
  }
  if (what === null) {
    if (verbose) await sh.write(1, `${name}: not found\n`);
    return false;
  }
  await sh.write(1, what + '\n');
  return true;
}

export const BUILTINS = new Map<string, Builtin>(Object.entries(CORE));

export { withRedirs };
