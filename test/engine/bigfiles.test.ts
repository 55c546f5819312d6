/**
 * A 100 MB file through the applets in a volume and in a tmpfs, through the engine: written by head
 * from /dev/zero, counted by wc, summed by md5sum, copied by cp, cut by head and tail. Each of these
 * reads its input a chunk at a time as busybox does (src/runtime/busybox/chunks.ts); wc used to read
 * the whole file into one string and died on it. Not timed: the test pins that they work and are right.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';

const SIZE = 100 * 1024 * 1024;
/** md5 of 100 MiB of zero bytes (`head -c 104857600 /dev/zero | md5sum` on the host). */
const ZEROS_MD5 = '2f282b84e7e608d5852449ed940bfc51';

let root = '';
let engine: Engine;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-big-'));
  engine = await Engine.open({ root });
  await engine.init();
  await engine.images.load(path.join(import.meta.dirname, '../fixtures/corpus/dk-build.dsave.tar'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function run(cmd: string, hostConfig: Record<string, unknown>): Promise<string> {
  const { id } = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', `${cmd} 2>&1`], HostConfig: hostConfig });
  const chunks: string[] = [];
  const l = engine.containers.listen(id, (_s, d) => chunks.push(Buffer.from(d).toString()));
  const done = engine.containers.wait(id, 'next-exit').done;
  await engine.containers.start(id);
  await done;
  l.stop();
  await engine.containers.remove(id, { removeVolumes: true });
  return chunks.join('');
}

describe('a 100 MB file through the applets', () => {
  it('in a named volume: head writes it, wc, md5sum, cat, cp, head -c -N and tail -c read it', async () => {
    const out = await run(
      [
        `head -c ${SIZE} /dev/zero > /v/big`,
        'wc -c /v/big',
        'wc -l < /v/big',
        'wc < /v/big',
        'md5sum /v/big',
        'cat /v/big | wc -c',
        'cp /v/big /v/copy && md5sum /v/copy',
        'head -c -1 /v/big | wc -c',
        'tail -c 5 /v/big | wc -c',
        'tail -c +2 /v/big | wc -c',
      ].join('; '),
      { Binds: ['big:/v'] },
    );
    expect(out).toBe(
      `${SIZE} /v/big\n0\n        0         0 ${SIZE}\n${ZEROS_MD5}  /v/big\n${SIZE}\n${ZEROS_MD5}  /v/copy\n${SIZE - 1}\n5\n${SIZE - 1}\n`,
    );
    expect(fs.statSync(path.join(engine.volumes.store.dataPath('big'), 'copy')).size).toBe(SIZE);
  }, 300_000);

  it('in a tmpfs: wc counts words and lines byte by byte in one pass, md5sum and tail agree', async () => {
    const out = await run(`head -c ${SIZE} /dev/zero > /t/big; echo end >> /t/big; wc /t/big; md5sum < /t/big | cut -c1-8; tail -c 4 /t/big`, { Tmpfs: { '/t': '' } });
    expect(out).toBe(`        1         1 ${SIZE + 4} /t/big\nd04acb6f\nend\n`);
  }, 300_000);
});
