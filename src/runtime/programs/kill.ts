/**
 * kill, shared by the busybox applet and the shell builtin (procps/kill.c): `kill [-SIG | -s SIG |
 * -n NUM] PID...`, `kill -l [N|NAME]`. Messages are busybox's, after the program's name.
 */
import { isKilled, strerror } from '../errno.js';
import type { Program, System } from '../program.js';
import { NSIG, SIGTERM, parseSignal, signalName } from '../signals.js';

export interface KillIo {
  out(s: string): Promise<void>;
  err(s: string): Promise<void>;
}

/** busybox's name for a signal: its table names 29 POLL, the later of SIGIO's two names (u_signal_names.c). */
function busyboxName(s: number): string | undefined {
  return s === 29 ? 'POLL' : signalName(s);
}

async function list(args: string[], io: KillIo): Promise<number> {
  if (args.length === 0) {
    const rows: string[] = [];
    // print_signames: printf("%2d) %s\n")
    for (let s = 1; s < NSIG; s++) rows.push(`${String(s).padStart(2)}) ${busyboxName(s)}`);
    await io.out(rows.join('\n') + '\n');
    return 0;
  }
  for (const a of args) {
    if (/^\d+$/.test(a)) {
      const n = Number(a) > 128 ? Number(a) - 128 : Number(a);
      await io.out(`${busyboxName(n) ?? n}\n`);
    } else {
      const s = parseSignal(a);
      if (s === undefined) {
        await io.err(`bad signal name '${a}'\n`);
        return 1;
      }
      await io.out(`${s}\n`);
    }
  }
  return 0;
}

export async function killMain(name: string, argv: readonly string[], sys: System, io: KillIo): Promise<number> {
  const err = (s: string) => io.err(`${name}: ${s}`);
  let args = argv.slice(1);
  let sig = SIGTERM;
  if (args[0] === '-l') return list(args.slice(1), { out: io.out, err });
  if (args[0] === '-s' || args[0] === '-n') {
    const s = parseSignal(args[1] ?? '');
    if (s === undefined) {
      await err(`bad signal name '${args[1] ?? ''}'\n`);
      return 1;
    }
    sig = s;
    args = args.slice(2);
  } else if (args[0] && /^-./.test(args[0]) && args[0] !== '--') {
    const s = parseSignal(args[0].slice(1));
    if (s === undefined) {
      await err(`bad signal name '${args[0].slice(1)}'\n`);
      return 1;
    }
    sig = s;
    args = args.slice(1);
  }
  if (args[0] === '--') args = args.slice(1);
  if (args.length === 0) {
    await err('you need to specify whom to kill\n');
    return 1;
  }
  let status = 0;
  for (const a of args) {
    if (!/^-?\d+$/.test(a)) {
      await err(`invalid number '${a}'\n`);
      status = 1;
      continue;
    }
    try {
      sys.kill(Number(a), sig);
    } catch (e) {
      if (isKilled(e)) throw e;
      await err(`can't kill pid ${a}: ${strerror(e)}\n`);
      status = 1;
    }
  }
  return status;
}

export const kill: Program = (p) =>
  killMain('kill', p.argv, p.sys, {
    out: (s) => p.stdout.write(s),
    err: (s) => p.stderr.write(s),
  });
