import { describe, expect, it } from 'vitest';
import { glob, hasGlob, type PChar } from '../../../src/runtime/shell/glob.js';
import type { FileSystem } from '../../../src/runtime/program.js';

const pat = (s: string): PChar[] => [...s].map((c) => ({ c, q: false }));

describe('pathname expansion', () => {
  it('takes a lone [ (the test command) for an ordinary character, as dash does', () => {
    expect(hasGlob(pat('['))).toBe(false);
    expect(hasGlob(pat('a[b'))).toBe(false);
    expect(hasGlob(pat('f[0-9]'))).toBe(true);
    expect(hasGlob(pat('*'))).toBe(true);
  });

  it('reads no directory for a word with nothing special in it', async () => {
    let reads = 0;
    const fs = { readdir: async () => (reads++, ['[', 'b']), lstat: async () => ({}) } as unknown as FileSystem;
    expect(await glob(fs, pat('['))).toEqual(['[']);
    expect(reads).toBe(0);
    expect(await glob(fs, pat('[ab]'))).toEqual(['b']);
    expect(reads).toBe(1);
  });
});
