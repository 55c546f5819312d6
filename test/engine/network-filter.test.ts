/** `network ls --filter` as the 20.10 daemon applies it (values measured in probe p1, FACTS.md). */
import { describe, expect, it } from 'vitest';
import { filterNetworks } from '../../src/engine/network-filter.js';
import { NetworkController } from '../../src/network/sandbox.js';

function world() {
  const ctl = new NetworkController();
  ctl.create({ name: 'front', labels: { tier: 'web' } });
  ctl.create({ name: 'back' });
  const sb = ctl.createSandbox({ containerId: 'c'.repeat(64), containerName: 'w1' });
  ctl.join(sb, 'back');
  return ctl;
}

const names = (ctl: NetworkController, f: Record<string, string[]>) =>
  filterNetworks(ctl.list(), new Map(Object.entries(f))).map((n) => n.name).sort();

describe('network ls filters', () => {
  it('matches names as a pattern, drivers exactly, types and labels', () => {
    const ctl = world();
    expect(names(ctl, { name: ['fr'] })).toEqual(['front']);
    expect(names(ctl, { driver: ['bridge'] })).toEqual(['back', 'bridge', 'front']);
    expect(names(ctl, { type: ['custom'] })).toEqual(['back', 'front']);
    expect(names(ctl, { type: ['builtin'] })).toEqual(['bridge', 'host', 'none']);
    expect(names(ctl, { label: ['tier=web'] })).toEqual(['front']);
    expect(names(ctl, { label: ['tier=db'] })).toEqual([]);
    expect(names(ctl, { id: ['nosuch'] })).toEqual([]);
  });

  it('calls every user network dangling, even one with endpoints (the list has no Containers), and refuses an unknown type', () => {
    // measured (scenario network-names-2): a network with two running containers is listed under dangling=true
    const ctl = world();
    expect(names(ctl, { dangling: ['true'] })).toEqual(['back', 'front']);
    expect(names(ctl, { dangling: ['false'] })).toEqual(['bridge', 'host', 'none']);
    expect(() => names(ctl, { type: ['x'] })).toThrow("invalid filter: 'type'='x'");
  });
});
