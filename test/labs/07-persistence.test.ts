import { describe, expect, it } from 'vitest';
import { run } from '../../labs/07-persistence.js';

describe('lab 07: what persists in a tmpfs, a bind mount and volumes', () => {
  it('fills the volume at create, draws the mounts over the overlay, and measures what stop, rm and rm -v keep', async () => {
    let text = '';
    await run({ write: (s: string) => void (text += s) });
    // eslint-disable-next-line no-control-regex -- stripping ANSI colours is the point
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toContain('before create: (empty)');
    expect(plain).toContain('after create:  app.3f9c2d.js  index.html');
    expect(plain).toMatch(/rootfs \/\s+overlay/);
    for (const t of ['/app/public', '/srv', '/cache', '/scratch']) expect(plain).toMatch(new RegExp(`yours  ${t.replace('/', '\\/')}\\s`));
    const row = (kind: string) => plain.match(new RegExp(`^${kind}\\s+(\\w+)\\s+(\\w+)\\s+(\\w+)$`, 'm'))?.slice(1);
    expect(row('container layer')).toEqual(['kept', 'gone', 'gone']);
    expect(row('tmpfs')).toEqual(['gone', 'gone', 'gone']);
    expect(row('bind mount')).toEqual(['kept', 'kept', 'kept']);
    expect(row('named volume')).toEqual(['kept', 'kept', 'kept']);
    expect(row('anonymous volume')).toEqual(['kept', 'kept', 'gone']);
    expect(plain).toMatch(/named volume {6}\/\S+\/volumes\/site\/_data/);
    expect(plain).toMatch(/bind mount {8}\/\S+\/host-dir/);
  });
});
