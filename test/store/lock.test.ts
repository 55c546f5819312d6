import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/store/lock.js';
import { tmpdir } from '../helpers/archive.js';
import { exited, spawnTs } from '../helpers/child.js';

const CHILD = path.join(import.meta.dirname, 'children', 'lock-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pid no process has: beyond pid_max's default (2^22). */
const deadPid = (i: number) => 2 ** 22 + 1000 + i;

interface Event {
  what: 'enter' | 'leave';
  pid: number;
  round: number;
  us: number;
}

function events(log: string): Event[] {
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [what, pid, round, us] = l.split(' ');
      return { what: what as Event['what'], pid: Number(pid), round: Number(round), us: Number(us) };
    });
}

/** Every enter is followed by the same process's leave before anyone's next enter, in log order and in time. */
function overlaps(evs: Event[]): string[] {
  const bad: string[] = [];
  for (let i = 0; i < evs.length; i += 2) {
    const [a, b] = [evs[i]!, evs[i + 1]];
    if (a.what !== 'enter' || b?.what !== 'leave' || b.pid !== a.pid) bad.push(`at line ${i + 1}: ${JSON.stringify([a, b])}`);
    const next = evs[i + 2];
    if (b && next && next.us < b.us) bad.push(`at line ${i + 3}: entered at ${next.us} before ${b.pid} left at ${b.us}`);
  }
  return bad;
}

describe('the store lock', () => {
  it('is held by one process at a time when several wait on a dead owner’s lock, round after round', async () => {
    const CHILDREN = 4;
    const ROUNDS = 40;
    const dir = tmpdir('boxlab-lock-');
    const lock = path.join(dir, 'lock');
    const log = path.join(dir, 'log');
    fs.writeFileSync(log, '');
    const kids = Array.from({ length: CHILDREN }, () => spawnTs(CHILD, [lock, log, dir, String(ROUNDS)], { BOXLAB_LOCK_TAKEOVER_PAUSE_MS: '3' }));
    for (let r = 0; r < ROUNDS; r++) {
      // a lock left by an owner that died: the new format (pid, start time, nonce) and the old (a pid)
      fs.writeFileSync(lock, r % 4 === 3 ? String(deadPid(r)) : `${deadPid(r)} 12345 dead${r}\n`);
      fs.writeFileSync(path.join(dir, `go-${r}`), '');
      while (events(log).filter((e) => e.round === r && e.what === 'leave').length < CHILDREN) {
        const gone = kids.find((k) => k.exitCode !== null && k.exitCode !== 0);
        if (gone) throw new Error(`a child ended early (exit ${gone.exitCode}) in round ${r}`);
        await sleep(5);
      }
      while (fs.existsSync(lock)) await sleep(2);
    }
    expect(await Promise.all(kids.map(exited))).toEqual(kids.map(() => 0));
    const evs = events(log);
    expect(evs).toHaveLength(2 * CHILDREN * ROUNDS);
    expect(overlaps(evs)).toEqual([]);
    // nothing left beside the lock: no temp files, no take-over tokens
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('lock'))).toEqual([]);
  });

  it('takes over a lock whose pid now belongs to another process (a recycled pid)', async () => {
    const dir = tmpdir('boxlab-lock-');
    const lock = path.join(dir, 'lock');
    // our own pid, but a start time no process of ours had
    fs.writeFileSync(lock, `${process.pid} 1 recycled\n`);
    const release = await acquireLock(lock, 2000);
    expect(fs.readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+ [0-9a-f]{24}\\n$`));
    release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('waits for a live owner and fails with Locked when it does not let go in time', async () => {
    const dir = tmpdir('boxlab-lock-');
    const lock = path.join(dir, 'lock');
    const release = await acquireLock(lock);
    await expect(acquireLock(lock, 200)).rejects.toMatchObject({ code: 'Locked' });
    release();
    (await acquireLock(lock, 200))();
  });
});
