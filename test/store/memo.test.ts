import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileMemo } from '../../src/store/memo.js';
import { Store } from '../../src/store/store.js';
import { writeFileAtomicSync } from '../../src/util/fsx.js';
import { tmpdir } from '../helpers/archive.js';

describe('metadata kept parsed between reads (store/memo.ts)', () => {
  it('parses a file once while it is unchanged, and hands every reader the same frozen value', () => {
    const file = path.join(tmpdir('boxlab-memo-'), 'repositories.json');
    fs.writeFileSync(file, JSON.stringify({ tags: { 'a:latest': 'sha256:1' } }));
    let parses = 0;
    const memo = new FileMemo<{ tags: Record<string, string> }>();
    const parse = (t: string) => (parses++, JSON.parse(t) as { tags: Record<string, string> });
    const a = memo.read(file, parse)!;
    const b = memo.read(file, parse)!;
    expect(parses).toBe(1);
    expect(b).toBe(a);
    expect(Object.isFrozen(a.tags)).toBe(true);
    expect(() => {
      (a.tags as Record<string, string>)['b:latest'] = 'sha256:2';
    }).toThrow(TypeError);
  });

  it('sees a rewrite by another writer (a new inode renamed into place) and a removal', () => {
    const file = path.join(tmpdir('boxlab-memo-'), 'x.json');
    fs.writeFileSync(file, '{"v":1}');
    const memo = new FileMemo<{ v: number }>();
    expect(memo.read(file, JSON.parse)?.v).toBe(1);
    writeFileAtomicSync(file, '{"v":2}'); // same size, possibly the same mtime: the inode differs
    expect(memo.read(file, JSON.parse)?.v).toBe(2);
    fs.rmSync(file);
    expect(memo.read(file, JSON.parse)).toBeUndefined();
  });

  it('Store.tags() gives each caller a copy it may change, and follows tag moves', async () => {
    const store = await Store.open(tmpdir('boxlab-memo-store-'));
    const id = `sha256:${'a'.repeat(64)}` as const;
    await store.writeTags({ 'app:latest': id });
    const t = await store.tags();
    t['other:latest'] = id;
    expect(await store.tags()).toEqual({ 'app:latest': id });
    await store.moveTag('app:v2', id);
    expect(Object.keys(await store.tags()).sort()).toEqual(['app:latest', 'app:v2']);
  });
});
