import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { tmpdir } from '../helpers/archive.js';
import { exited, spawnTs } from '../helpers/child.js';
import { checkpointTar, checkState, payload } from './children/active-model.js';

const CHILD = path.join(import.meta.dirname, 'children', 'active-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freshStore(): Promise<Store> {
  return Store.open(tmpdir('boxlab-active-'));
}

describe('an active snapshot (a container’s persisted upper layer)', () => {
  it('gives back the records appended, in order, after the process that appended them closed it', async () => {
    const store = await freshStore();
    await store.createActive('c1', { parent: null });
    const snap = await store.openActive('c1');
    for (let i = 1; i <= 5; i++) snap.append(payload(i));
    snap.close();
    const again = await store.openActive('c1');
    expect(again.recover().checkpoint).toBeUndefined();
    expect(await checkState(again.recover())).toBe(5);
    again.close();
  });

  it('replaces the records a checkpoint covers, keeping those appended after it', async () => {
    const store = await freshStore();
    await store.createActive('c2', { parent: null });
    const snap = await store.openActive('c2');
    for (let i = 1; i <= 3; i++) snap.append(payload(i));
    await snap.checkpoint(checkpointTar(3));
    snap.append(payload(4));
    const r = snap.recover();
    expect(r.records).toEqual([payload(4)]);
    expect(await checkState(r)).toBe(4);
    // a checkpoint with no records since the last one, and records appended while one is written
    const writing = snap.checkpoint(checkpointTar(4));
    snap.append(payload(5));
    await writing;
    expect(await checkState(snap.recover())).toBe(5);
    expect(fs.readdirSync(path.join(store.root, 'active', 'c2')).filter((n) => n.startsWith('checkpoint'))).toHaveLength(1);
    snap.close();
  });

  it('cuts a torn last record at recovery, and appends after the valid prefix', async () => {
    const store = await freshStore();
    await store.createActive('c3', { parent: null });
    const snap = await store.openActive('c3');
    for (let i = 1; i <= 4; i++) snap.append(payload(i));
    snap.close();
    const dir = path.join(store.root, 'active', 'c3');
    const journal = path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('journal-'))!);
    const size = fs.statSync(journal).size;
    fs.truncateSync(journal, size - 7); // record 4 torn
    const again = await store.openActive('c3');
    expect(await checkState(again.recover())).toBe(3);
    again.append(payload(4));
    again.append(payload(5));
    again.close();
    // a flipped byte in a record ends the journal there too
    const data = fs.readFileSync(journal);
    data[data.length - 10]! ^= 0x40;
    fs.writeFileSync(journal, data);
    const third = await store.openActive('c3');
    expect(await checkState(third.recover())).toBe(4);
    third.close();
  });

  it('is open in one process at a time, and refuses removal while a record uses it', async () => {
    const store = await freshStore();
    await store.createActive('c4', { parent: null });
    const snap = await store.openActive('c4');
    await expect(store.openActive('c4')).rejects.toMatchObject({ code: 'Locked' });
    await expect(store.createActive('c4', { parent: null })).rejects.toMatchObject({ code: 'AlreadyExists' });
    await expect(store.removeActive('c4')).rejects.toMatchObject({ code: 'Locked' });
    snap.close();
    await store.records('containers').put('c4', { name: 'x' }, { actives: ['c4'] });
    await expect(store.removeActive('c4')).rejects.toMatchObject({ code: 'FailedPrecondition', users: [{ kind: 'containers', id: 'c4' }] });
    await store.records('containers').delete('c4');
    await store.removeActive('c4');
    expect(await store.activeIds()).toEqual([]);
    await expect(store.openActive('c4')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('leaves no checkpoint behind when the tar stream fails', async () => {
    const store = await freshStore();
    await store.createActive('c5', { parent: null });
    const snap = await store.openActive('c5');
    snap.append(payload(1));
    const failing = new Readable({ read() { this.destroy(new Error('pack failed')); } });
    await expect(snap.checkpoint(failing)).rejects.toThrow('pack failed');
    expect(await checkState(snap.recover())).toBe(1);
    expect(fs.readdirSync(path.join(store.root, 'active', 'c5')).filter((n) => n.startsWith('checkpoint'))).toEqual([]);
    snap.close();
  });

  it('recovers a prefix of what was appended, never a torn record, after kill -9 at random moments of appends and checkpoints', async () => {
    const store = await freshStore();
    const LANES = 2; // processes at a time
    const PER_LANE = 3; // snapshots per process
    const ITERATIONS = 8; // kills per lane
    const lanes = Array.from({ length: LANES }, (_, l) => Array.from({ length: PER_LANE }, (_, s) => `crash-${l}-${s}`));
    for (const id of lanes.flat()) await store.createActive(id, { parent: null });
    const acked = new Map<string, number>(lanes.flat().map((id) => [id, 0]));
    const lane = async (ids: string[]) => {
      for (let i = 0; i < ITERATIONS; i++) {
        const child = spawnTs(CHILD, [store.root, ...ids]);
        let out = '';
        child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
        while ((out.match(/^recovered /gm) ?? []).length < ids.length && child.exitCode === null) await sleep(5);
        for (const id of ids) {
          // what the child found on opening: at least all that was acknowledged before the last kill
          const recovered = Number(new RegExp(`^recovered ${id} (\\d+)$`, 'm').exec(out)?.[1]);
          expect(recovered).toBeGreaterThanOrEqual(acked.get(id)!);
        }
        // every snapshot under way, then a kill at a random moment of its appends and checkpoints
        while (ids.some((id) => !new RegExp(`^acked ${id} `, 'm').test(out)) && child.exitCode === null) await sleep(5);
        await sleep(Math.random() * 400);
        child.kill('SIGKILL');
        expect(await exited(child)).toBe('SIGKILL');
        for (const m of out.matchAll(/^acked (\S+) (\d+)$/gm)) acked.set(m[1]!, Math.max(acked.get(m[1]!)!, Number(m[2])));
      }
    };
    await Promise.all(lanes.map(lane));
    for (const id of lanes.flat()) {
      const snap = await store.openActive(id);
      expect(await checkState(snap.recover())).toBeGreaterThanOrEqual(acked.get(id)!);
      snap.close();
      expect(acked.get(id)).toBeGreaterThan(ITERATIONS); // the children did append between kills
    }
  }, 400_000);
});
