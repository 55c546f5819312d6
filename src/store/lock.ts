import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BoxlabError } from '../errors.js';

/**
 * An exclusive lock between processes, taken over safely when its owner dies.
 *
 * The lock is a file whose content names one *instance* of holding it: the owner's pid, the
 * process's start time (field 22 of /proc/PID/stat, so that a recycled pid is not taken for the
 * owner) and a random nonce, so that no two instances ever have the same content.
 *
 * Acquiring: the instance is written to a private temp file, then link(2)ed to the lock's name.
 * link() is atomic and fails with EEXIST when the name exists, so at most one process holds a free
 * lock, and a reader never sees a half-written lock (the old O_EXCL-then-write could).
 *
 * Taking over a dead owner's instance X (the race this replaces: two waiters read the same dead
 * pid, the first removed the stale file and made its own, the second then removed the first's fresh
 * lock): waiters race for a *token* `LOCK.takeover-<nonce of X>`, itself a lock of this same kind
 * (so a taker that dies holding the token is taken over the same way, one level down). The token's
 * holder re-reads the lock: if it still holds X, it rename(2)s its own temp file over it (an atomic
 * replace), else it backs off. Why only one process can replace X: the lock's name changes only by
 * (a) link when absent, (b) its live owner unlinking its own instance, (c) a replace by a token
 * holder that saw its instance still there after taking the token. While the lock holds X, (a)
 * fails, (b) cannot happen (X's owner is dead, and death is permanent), and (c) needs token-X,
 * which one process holds at a time; the first holder replaces X before letting go of the token,
 * and X (a unique nonce) never comes back, so any later holder of token-X sees another instance and
 * backs off. Tokens left by crashed takers are swept by the next holder of the lock: a token names
 * an instance that is no longer the lock's, so holding one can no longer replace anything.
 */

const POLL_MS = 20;

interface Instance {
  pid: number;
  /** The process's start time in clock ticks since boot, when /proc tells it. */
  start: string | null;
  /** What the lock file holds: compared byte for byte to recognise an instance. */
  raw: string;
  /** Names this instance's take-over token. */
  nonce: string;
}

/** The start time of a process (Linux: /proc/PID/stat field 22), or null when unknown. */
function startTime(pid: number | 'self'): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** This process's start time: read once (it cannot change), not at every lock taken. */
let ownStart: string | null | undefined;
function selfStart(): string | null {
  if (ownStart === undefined) ownStart = startTime('self');
  return ownStart;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that made `inst` still runs (a live process with its pid but another start time is not it). */
function ownerAlive(inst: Instance): boolean {
  if (!processAlive(inst.pid)) return false;
  if (inst.start === null) return true;
  const now = startTime(inst.pid);
  return now === null || now === inst.start;
}

function parseInstance(raw: string): Instance | null {
  const [pid, start, nonce] = raw.trim().split(' ');
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return null;
  // a lock written by an older boxlab holds only a pid
  return { pid: n, start: start && start !== '-' ? start : null, raw, nonce: nonce ?? `pid${n}` };
}

function readInstance(file: string): Instance | null | 'absent' {
  try {
    return parseInstance(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
}

function unlinkQuiet(file: string): void {
  fs.rmSync(file, { force: true });
}

/** A temp file beside `file` holding a new instance of ours; the caller links or renames it into place. */
function newInstance(file: string): { temp: string; raw: string } {
  const nonce = randomBytes(12).toString('hex');
  const raw = `${process.pid} ${selfStart() ?? '-'} ${nonce}\n`;
  const temp = `${file}.new-${process.pid}-${nonce}`;
  fs.writeFileSync(temp, raw, { mode: 0o644 });
  return { temp, raw };
}

/**
 * One attempt, without waiting: returns the instance written when the lock is now ours, or the
 * live owner's pid when it is held (NaN when its content cannot be read yet).
 */
function tryAcquire(file: string): { raw: string } | { owner: number } {
  const mine = newInstance(file);
  try {
    for (;;) {
      try {
        fs.linkSync(mine.temp, file);
        return { raw: mine.raw };
      } catch (err) {
        // ENOENT: a sweep removed our temp file (see sweep()); this attempt simply fails
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { owner: NaN };
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = readInstance(file);
      if (held === 'absent') continue; // released between our link and read
      if (held === null) return { owner: NaN };
      if (ownerAlive(held)) return { owner: held.pid };
      pauseBeforeTakeOver();
      return takeOver(file, held, mine) ? { raw: mine.raw } : { owner: NaN };
    }
  } finally {
    unlinkQuiet(mine.temp);
  }
}

/**
 * The race this file is about lives between reading a dead owner's lock and replacing it: a few
 * microseconds. BOXLAB_LOCK_TAKEOVER_PAUSE_MS widens that window (a random pause up to the value) so
 * that the concurrency test meets the race in every round, not once in thousands.
 */
function pauseBeforeTakeOver(): void {
  const max = Number(process.env.BOXLAB_LOCK_TAKEOVER_PAUSE_MS);
  if (max > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.random() * max);
}

/** Replaces the dead instance `stale` with ours, if no other waiter does first. */
function takeOver(file: string, stale: Instance, mine: { temp: string }): boolean {
  const token = `${file}.takeover-${stale.nonce}`;
  const got = tryAcquire(token);
  if (!('raw' in got)) return false;
  try {
    const now = readInstance(file);
    if (now === 'absent' || now === null || now.raw !== stale.raw) return false;
    fs.renameSync(mine.temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // our temp was swept
    throw err;
  } finally {
    releaseInstance(token, got.raw);
  }
}

function releaseInstance(file: string, raw: string): void {
  // only its live owner removes an instance, and nobody replaces a live owner's: read-then-unlink is safe
  const held = readInstance(file);
  if (held !== 'absent' && held?.raw === raw) unlinkQuiet(file);
}

/**
 * Removes what crashed processes left beside the lock: every take-over token (each names an instance
 * that is no longer the lock's, so it guards nothing) and the temp files of dead processes.
 * Called holding the lock.
 */
function sweep(file: string): void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(`${base}.`)) continue;
    const rest = name.slice(base.length + 1);
    const pid = Number(/^new-(\d+)-/.exec(rest)?.[1]);
    if (rest.startsWith('takeover-') || (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)))
      unlinkQuiet(path.join(dir, name));
  }
}

/**
 * Takes the lock, waiting up to `timeoutMs` for a live owner to release it and taking it over from
 * a dead one. Resolves to the function that releases it.
 */
export async function acquireLock(file: string, timeoutMs = 30_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = tryAcquire(file);
    if ('raw' in r) {
      sweep(file);
      return () => releaseInstance(file, r.raw);
    }
    if (Date.now() > deadline)
      throw new BoxlabError('Locked', `the store is locked by another boxlab process (pid ${r.owner}): ${file}`);
    // jitter, so that waiters woken together do not retry in lockstep
    await new Promise((res) => setTimeout(res, POLL_MS / 2 + Math.random() * POLL_MS));
  }
}
