/**
 * A process of the lock test (test/store/lock.test.ts): for each round, waits for the round's go
 * file, takes the lock, records `enter` and `leave` lines (pid, round, wall-clock time in µs) in the
 * shared log with O_APPEND writes, and releases it.
 *   lock-child.ts LOCK LOG GODIR ROUNDS
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireLock } from '../../../src/store/lock.js';

const [lock, log, goDir, rounds] = process.argv.slice(2) as [string, string, string, string];
const now = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const record = (what: string, round: number) => fs.appendFileSync(log, `${what} ${process.pid} ${round} ${now()}\n`);

for (let r = 0; r < Number(rounds); r++) {
  while (!fs.existsSync(path.join(goDir, `go-${r}`))) await sleep(1);
  const release = await acquireLock(lock, 60_000);
  record('enter', r);
  await sleep(1 + Math.random() * 3);
  record('leave', r);
  release();
}
