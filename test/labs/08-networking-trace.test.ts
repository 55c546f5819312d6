import { describe, expect, it } from 'vitest';
import { run } from '../../labs/08-networking.js';

describe('lab 08: networking, the trace step', () => {
  it('draws a delivered path (same bridge) and a dropped one (across bridges), naming the veths the picture shows', async () => {
    let text = '';
    await run({ write: (s) => void (text += s) });
    // eslint-disable-next-line no-control-regex -- stripping ANSI colours is the point
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    const trace = plain.slice(plain.indexOf('boxlab trace: a packet hop by hop'));
    expect(trace).toMatch(/c1 → c2 \(172\.18\.0\.2\), ping\n\s+1\s+eth1\s+172\.18\.0\.3 → 172\.18\.0\.2 \(on-link\)/);
    expect(trace).toMatch(/DELIVERED to c2 \(FORWARD -i (br-[0-9a-f]{12}) -o \1 -j ACCEPT\)/);
    // c3 is on docker0; its address depends on the containers the lab's earlier steps started there
    expect(trace).toMatch(/c2 → c3 \(172\.17\.0\.\d+\), ping/);
    expect(trace).toContain('DROPPED: DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP');
    // the picture's veth of c2 is the one the trace passes
    const veth = /(veth[0-9a-f]{7}) ⇄ eth0 of c2/.exec(plain)?.[1];
    expect(veth).toBeDefined();
    expect(trace).toMatch(new RegExp(`${veth as string}\\s+bridge port of c2`));
  }, 60_000);
});
