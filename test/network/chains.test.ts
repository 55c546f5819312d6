/**
 * The rule evaluator: iptables-save's text parsed back, and a packet walked as netfilter walks it
 * (iptables(8): jumps, RETURN, the end of a user chain returning, a built-in chain's policy, `!`).
 */
import { describe, expect, it } from 'vitest';
import { parseSave, walk, type Packet } from '../../src/network/chains.js';
import { fixture } from './transcript.js';

const pkt = (p: Partial<Packet>): Packet => ({ src: '10.0.0.2', dst: '10.0.1.2', proto: 'icmp', state: 'NEW', isLocal: () => false, ...p });

const SAVE = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:A - [0:0]
:B - [0:0]
-A FORWARD -j A
-A FORWARD -i br1 -j ACCEPT
-A A -s 10.0.0.0/24 -j B
-A A ! -d 10.0.1.0/24 -j DROP
-A B -p tcp -m tcp --dport 80 -j RETURN
-A B -o br2 -j DROP
COMMIT
`;

describe('walking the chains', () => {
  it('jumps into a user chain and comes back at its end or at RETURN', () => {
    const t = parseSave(SAVE);
    const back = walk(t, 'filter', 'FORWARD', pkt({ in: 'br1', out: 'br3', proto: 'tcp', dport: 80 }));
    expect(back).toMatchObject({ verdict: 'ACCEPT', rule: { text: 'FORWARD -i br1 -j ACCEPT' } });
    expect(back.matched.map((r) => r.text)).toEqual(['FORWARD -j A', 'A -s 10.0.0.0/24 -j B', 'B -p tcp -m tcp --dport 80 -j RETURN', 'FORWARD -i br1 -j ACCEPT']);
    expect(walk(t, 'filter', 'FORWARD', pkt({ in: 'br1', out: 'br2' })).rule?.text).toBe('B -o br2 -j DROP');
  });

  it('applies a negated match, and the built-in chain’s policy when nothing decides', () => {
    const t = parseSave(SAVE);
    expect(walk(t, 'filter', 'FORWARD', pkt({ src: '10.9.0.2', dst: '192.0.2.1', in: 'br1' })).rule?.text).toBe('A ! -d 10.0.1.0/24 -j DROP');
    const none = walk(t, 'filter', 'FORWARD', pkt({ src: '10.9.0.2', in: 'br9' }));
    expect([none.verdict, none.rule]).toEqual(['DROP', undefined]);
    expect(walk(t, 'nat', 'POSTROUTING', pkt({})).verdict).toBe('ACCEPT');
  });

  it('parses every rule the engine itself wrote, and refuses a match it does not know', () => {
    const t = parseSave(fixture('iptables-save.txt'));
    expect([...t.keys()]).toEqual(['filter', 'nat']);
    expect(t.get('filter')?.rules).toHaveLength(29);
    expect(t.get('nat')?.rules.at(-1)).toMatchObject({ target: 'DNAT', toDestination: '172.23.0.2:53' });
    expect(() => parseSave('*filter\n-A FORWARD -m state --state NEW -j ACCEPT\nCOMMIT\n')).toThrow(/does not know -m in/);
  });
});
