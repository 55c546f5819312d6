/**
 * Where a tar ends, as Go's archive/tar (so `docker load`) reads it: TarReader over tar-stream.
 * test/oracle/bad-input.test.ts asks Docker about the same archives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TarReader } from '../../src/layer/tarreader.js';
import { layerTar, withoutEndMarker } from '../helpers/archive.js';

const BLOCK = 512;
const zeros = (n: number) => Buffer.alloc(n);

/** The members a TarReader reports for `data` written in pieces of the given sizes (cycled). */
async function membersOf(data: Buffer, pieces: number[] = [data.length || 1]): Promise<string[]> {
  const names: string[] = [];
  const reader = new TarReader((header, stream, next) => {
    names.push(header.name);
    stream.on('end', () => next());
    stream.resume();
  });
  const done = new Promise<void>((resolve, reject) => {
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  done.catch(() => {}); // it may fail while pieces are still being written; awaited below

  for (let off = 0, i = 0; off < data.length; i++) {
    const n = Math.max(1, pieces[i % pieces.length]!);
    // one piece at a time, as a stream delivers them: tar-stream reads each before the next comes
    await new Promise<void>((resolve) => reader.write(data.subarray(off, off + n), () => setImmediate(resolve)));
    off += n;
  }
  reader.end();
  await done;
  return names;
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.message,
  );

/** A tar of these files, without its end marker (the two zero blocks and the record's padding). */
async function body(...names: string[]): Promise<Buffer> {
  return withoutEndMarker(await layerTar(names.map((name) => ({ name, content: `${name}\n` }))));
}

describe('where a tar ends (Go archive/tar, as docker load reads it)', () => {
  it('stops at the end marker: junk after it is not read as tar', async () => {
    const a = Buffer.concat([await body('a', 'b'), zeros(2 * BLOCK), Buffer.from('junk that is no tar header at all\n'.repeat(40))]);
    expect(await membersOf(a)).toEqual(['a', 'b']);
  });

  it('does not apply a second archive appended after the end marker', async () => {
    const a = Buffer.concat([await layerTar([{ name: 'first', content: '1' }]), await layerTar([{ name: 'second', content: '2' }])]);
    expect(await membersOf(a)).toEqual(['first']);
  });

  it('refuses a zero block followed by a header: "invalid tar header"', async () => {
    const a = Buffer.concat([await body('a'), zeros(BLOCK), await layerTar([{ name: 'b', content: 'b' }])]);
    expect(await errorOf(membersOf(a))).toBe('Invalid tar header');
  });

  it('refuses a zero block followed by part of a block: "unexpected EOF"', async () => {
    const a = Buffer.concat([await body('a'), zeros(BLOCK), Buffer.from('x'.repeat(100))]);
    expect(await errorOf(membersOf(a))).toBe('Unexpected end of data');
  });

  it('takes an archive without its end marker, a single zero block, and an empty input', async () => {
    expect(await membersOf(await body('a', 'b'))).toEqual(['a', 'b']);
    expect(await membersOf(Buffer.concat([await body('a'), zeros(BLOCK)]))).toEqual(['a']);
    expect(await membersOf(Buffer.alloc(0))).toEqual([]);
    expect(await membersOf(zeros(10240))).toEqual([]);
  });

  it('ends at once when the archive starts with its end marker, whatever follows', async () => {
    expect(await membersOf(Buffer.concat([zeros(2 * BLOCK), await layerTar([{ name: 'hidden', content: 'h' }])]))).toEqual([]);
  });

  it('reads through zero blocks inside a file and a directory: only header positions count', async () => {
    const t = await layerTar([
      { name: 'd', type: 'directory' },
      { name: 'd/sparse', content: '\0'.repeat(4 * BLOCK) },
      { name: 'd/after', content: 'after' },
    ]);
    expect(await membersOf(t, [BLOCK])).toEqual(['d', 'd/sparse', 'd/after']);
  });

  it('decides the same wherever the input is cut into pieces', async () => {
    const cases = [
      Buffer.concat([await body('a', 'b', 'c'), zeros(2 * BLOCK), Buffer.from('junk'.repeat(300))]),
      Buffer.concat([await layerTar([{ name: 'one', content: 'x'.repeat(700) }]), await layerTar([{ name: 'two', content: 'y' }])]),
      Buffer.concat([await body('a'), zeros(BLOCK), await layerTar([{ name: 'b', content: 'b' }])]),
      await body('a', 'b'),
      Buffer.concat([zeros(2 * BLOCK), await layerTar([{ name: 'hidden', content: 'h' }])]),
    ];
    const whole = await Promise.all(cases.map((c) => errorOf(membersOf(c).then((m) => Promise.reject(new Error(m.join(',')))))));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: cases.length - 1 }), fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 8 }), async (i, pieces) => {
        const got = await errorOf(membersOf(cases[i]!, pieces).then((m) => Promise.reject(new Error(m.join(',')))));
        expect(got).toBe(whole[i]);
      }),
      { numRuns: 200, seed: 20261123 },
    );
    expect(whole).toEqual(['a,b,c', 'one', 'Invalid tar header', 'a,b', '']);
  });
});
