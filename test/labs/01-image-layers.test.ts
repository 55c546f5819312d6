import { describe, expect, it } from 'vitest';
import { run } from '../../labs/01-image-layers.js';

describe('lab 01: image layers', () => {
  it('shows each layer\'s changes, the shared base, and chainIDs changing above a one-byte change', async () => {
    let text = '';
    await run({ write: (s) => void (text += s) });
    // eslint-disable-next-line no-control-regex -- stripping ANSI colours is the point
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toContain('Loaded image: boxlab/webapp:1.0');
    expect(plain).toMatch(/D \/etc\/motd/);
    expect(plain).toMatch(/shared: [0-9a-f]{12}\n/);
    // base layer: both identities change; every layer above: same diffID, different chainID
    const rows = plain.split('\n').filter((l) => /^\d+\s+[0-9a-f]{12} [=≠] [0-9a-f]{12}/.test(l));
    expect(rows.length).toBeGreaterThan(2);
    expect(rows[0]).toMatch(/≠.*≠/);
    for (const r of rows.slice(1)) expect(r).toMatch(/^\d+\s+(\S+) = \1\s+[0-9a-f]{12} ≠ [0-9a-f]{12}$/);
    expect(plain).toMatch(/image ID: [0-9a-f]{12} ≠ [0-9a-f]{12}/);
  });
});
