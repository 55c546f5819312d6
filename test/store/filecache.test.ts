import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCached } from '../../src/store/filecache.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-fc-'));
  dirs.push(d);
  return d;
}

describe('the store file cache', () => {
  it('serves a file again until another replaces it by rename, then reads the new one', () => {
    const f = path.join(tmp(), 'repositories.json');
    fs.writeFileSync(f, '{"tags":{"a:1":"x"}}');
    expect(readCached(f).toString()).toBe('{"tags":{"a:1":"x"}}');
    // as the store writes (and as another process would): a temp file renamed over, the same size
    fs.writeFileSync(`${f}.tmp`, '{"tags":{"b:1":"y"}}');
    fs.renameSync(`${f}.tmp`, f);
    expect(readCached(f).toString()).toBe('{"tags":{"b:1":"y"}}');
  });

  it('sees a file rewritten in place and fails as readFile does on a missing one', () => {
    const f = path.join(tmp(), 'x.json');
    fs.writeFileSync(f, '1');
    expect(readCached(f).toString()).toBe('1');
    fs.writeFileSync(f, '22');
    expect(readCached(f).toString()).toBe('22');
    fs.rmSync(f);
    expect(() => readCached(f)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
