import { describe, expect, it } from 'vitest';
import { run } from '../../labs/07-volumes.js';

describe('lab 07: volumes, bind mounts and tmpfs', () => {
  it('fills the volume at create, draws the mounts over the overlay, and shows what each keeps', async () => {
    let text = '';
    await run({ write: (s) => void (text += s) });
    // eslint-disable-next-line no-control-regex -- stripping ANSI colours is the point
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toContain('before create: (empty)');
    expect(plain).toContain('after create:  app.3f9c2d.js  index.html');
    expect(plain).toMatch(/rootfs \/\s+overlay/);
    for (const t of ['/app/public', '/srv', '/cache', '/scratch']) expect(plain).toMatch(new RegExp(`yours  ${t.replace('/', '\\/')}\\s`));
    expect(plain).toContain('/scratch at the second start: (empty)');
    expect(plain).toContain('added = "note\\nnote\\n"');
    expect(plain).toContain('the host file written through the bind: from-container');
    expect(plain).toMatch(/[0-9a-f]{12}… removed\nsite\s+kept/);
  });
});
