import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileHash } from '../../src/util/filehash.js';
import { tmpdir } from '../helpers/archive.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('FileHash: the SHA-256 of a file as its writer appends to it, on a worker thread', () => {
  it('equals the hash of the bytes however the writes and the worker interleave', async () => {
    const dir = tmpdir();
    const jobs = Array.from({ length: 4 }, async (_, j) => {
      const file = path.join(dir, `f${j}`);
      const chunks = Array.from({ length: 20 + j }, (_, i) => randomBytes(1 + ((i * 7919 + j * 104729) % 300_000)));
      const fh = new FileHash(file);
      const fd = fs.openSync(file, 'w');
      for (const c of chunks) {
        fs.writeSync(fd, c);
        fh.written();
        await new Promise((r) => setImmediate(r));
      }
      fs.closeSync(fd);
      const all = Buffer.concat(chunks);
      expect(await fh.digest(all.length)).toBe(sha(all));
    });
    await Promise.all(jobs);
  });

  it('hashes an empty file, and a file first seen only at the end', async () => {
    const dir = tmpdir();
    const late = path.join(dir, 'late');
    const fh = new FileHash(late);
    fh.written(); // not there yet: the worker waits for more
    fs.writeFileSync(late, 'abc');
    expect(await fh.digest(3)).toBe(sha(Buffer.from('abc')));
    const empty = path.join(dir, 'empty');
    fs.writeFileSync(empty, '');
    expect(await new FileHash(empty).digest(0)).toBe(sha(Buffer.alloc(0)));
  });

  it('fails when the file is not the size its writer says, or is not there', async () => {
    const dir = tmpdir();
    const f = path.join(dir, 'short');
    fs.writeFileSync(f, 'abc');
    await expect(new FileHash(f).digest(4)).rejects.toThrow(/read back 3 bytes of 4/);
    await expect(new FileHash(path.join(dir, 'nosuch')).digest(1)).rejects.toThrow(/ENOENT/);
    const twice = new FileHash(f);
    await twice.digest(3);
    await expect(twice.digest(3)).rejects.toThrow(/ended/);
  });

  it('lets the process exit once no job is open, and after an aborted one', () => {
    const dir = tmpdir();
    const f = path.join(dir, 'x');
    fs.writeFileSync(f, 'hello');
    const mod = path.resolve('src/util/filehash.ts');
    const script = `
      import { FileHash } from ${JSON.stringify(mod)};
      const a = new FileHash(${JSON.stringify(f)});
      a.abort();
      console.log(await new FileHash(${JSON.stringify(f)}).digest(5));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(sha(Buffer.from('hello')));
  });
});
