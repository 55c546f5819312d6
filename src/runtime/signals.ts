/**
 * Linux signals: numbers, names and default actions as signal(7) lists them for x86-64/arm64
 * (include/uapi/asm-generic/signal.h). A process killed by signal n exits with status 128+n as the
 * shell and Docker report it (143 for SIGTERM, 137 for SIGKILL).
 */

export const SIGNALS = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
} as const;

export type SignalName = keyof typeof SIGNALS;
/** A signal number, 1..31 (real-time signals are not modelled). */
export type Signal = number;

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const NSIG = 32;

const byNumber = new Map<number, SignalName>(
  Object.entries(SIGNALS).map(([name, n]) => [n, name as SignalName] as const),
);

/** `TERM` for 15; undefined for a number that is no signal. */
export function signalName(sig: Signal): SignalName | undefined {
  return byNumber.get(sig);
}

/**
 * A signal from what a user writes: `TERM`, `SIGTERM`, `term`, `15`. Undefined if it names none.
 * (busybox get_signum accepts the number, the name with or without SIG, in any case.)
 */
export function parseSignal(text: string): Signal | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= 0 && n < NSIG ? n : undefined;
  }
  const up = text.toUpperCase();
  const name = up.startsWith('SIG') ? up.slice(3) : up;
  if (name === 'CLD') return SIGCHLD;
  if (name === 'IOT') return SIGNALS.ABRT;
  if (name === 'POLL') return SIGNALS.IO;
  return (SIGNALS as Record<string, number>)[name];
}

/** What the kernel does with a signal whose disposition is SIG_DFL (signal(7), "Standard signals"). */
export type DefaultAction = 'term' | 'core' | 'ign' | 'stop' | 'cont';

export function defaultAction(sig: Signal): DefaultAction {
  switch (sig) {
    case SIGCHLD:
    case SIGNALS.URG:
    case SIGNALS.WINCH:
      return 'ign';
    case SIGCONT:
      return 'cont';
    case SIGSTOP:
    case SIGTSTP:
    case SIGNALS.TTIN:
    case SIGNALS.TTOU:
      return 'stop';
    case SIGQUIT:
    case SIGNALS.ILL:
    case SIGNALS.TRAP:
    case SIGNALS.ABRT:
    case SIGNALS.BUS:
    case SIGNALS.FPE:
    case SIGNALS.SEGV:
    case SIGNALS.XCPU:
    case SIGNALS.XFSZ:
    case SIGNALS.SYS:
      return 'core';
    default:
      return 'term';
  }
}

/** SIGKILL and SIGSTOP can be neither caught nor ignored (signal(7)). */
export function isUncatchable(sig: Signal): boolean {
  return sig === SIGKILL || sig === SIGSTOP;
}
