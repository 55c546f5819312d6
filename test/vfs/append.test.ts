import { describe, expect, it } from 'vitest';
import { tmpfs } from '../../src/vfs/vfs.js';

describe('tmpfs writes in pieces', () => {
  it('appends into spare room without changing bytes a reader already holds, and an overwrite copies', () => {
    const fs = tmpfs({});
    fs.writeFile('f', '');
    const piece = Buffer.alloc(70000, 1);
    fs.write('f', 0, piece);
    const held = fs.readFile('f');
    fs.write('f', piece.length, Buffer.alloc(70000, 2));
    fs.write('f', 0, Buffer.from('XY'));
    expect(held.length).toBe(70000);
    expect(held.every((b) => b === 1)).toBe(true);
    const now = fs.readFile('f');
    expect(now.length).toBe(140000);
    expect(now.subarray(0, 2).toString()).toBe('XY');
    expect(now[69999]).toBe(1);
    expect(now[70000]).toBe(2);
    expect(fs.stat('f').size).toBe(140000);
  });
});
