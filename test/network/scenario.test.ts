/**
 * The shared scenario /work/shared/scenarios/network.sh walked on the model (no daemon): each value
 * the engine printed (fixtures/transcripts/scenario-network-docker.txt, `run.sh --side docker`) comes
 * out of the model. That engine run lost docker0 to a --bridge=none daemon starting meanwhile (see
 * FACTS.md), so n-a's two steps are pinned to the other sessions' values instead: 172.17.0.2
 * 172.17.0.1 (bridge.txt) and "unreachable" across bridges (iptables.txt).
 */
import { describe, expect, it } from 'vitest';
import { resolveName } from '../../src/network/dns.js';
import { reach } from '../../src/network/firewall.js';
import { networkSettings } from '../../src/network/inspect.js';
import { NetworkController, type Sandbox } from '../../src/network/sandbox.js';
import { step } from './transcript.js';

const FILE = 'scenario-network-docker.txt';
let n = 0;
const id = (): string => (++n).toString(16).padStart(64, 'c');

describe('scenario network.sh on the model', () => {
  it('prints what the engine printed, step by step', () => {
    const ctl = new NetworkController({ newId: id, hostResolvConf: 'nameserver 10.255.255.53\n' });
    const start = (name: string, network = 'bridge', opts: { aliases?: string[]; ipv4?: string } = {}): Sandbox => {
      const sb = ctl.createSandbox({ containerId: id(), containerName: name });
      ctl.join(sb, network, opts);
      return sb;
    };
    const ls = ctl
      .list()
      .map((x) => `${x.name} ${x.driver} local\n`)
      .sort()
      .join('');
    expect(ls).toBe(step(FILE, 'network ls --format {{.Name}} {{.Driver}}').stdout);
    ctl.create({ name: 'front' });
    const back = ctl.create({ name: 'back' });
    const cfg = back.ipamConfig.map((c) => `${c.subnet as string} ${c.gateway as string}`).join('');
    expect(cfg + '\n').toBe(step(FILE, 'network inspect -f').stdout);

    const na = start('n-a');
    const nb = start('n-b', 'front');
    const nc = start('n-c', 'front', { aliases: ['db'] });
    const s = networkSettings(ctl, na);
    expect(`${s.IPAddress as string} ${s.Gateway as string}`).toBe('172.17.0.2 172.17.0.1');
    const nets = networkSettings(ctl, nc).Networks as Record<string, { IPAddress: string }>;
    const line = Object.entries(nets).map(([k, v]) => `${k} ${v.IPAddress} `).join('');
    expect(line + '\n').toBe(step(FILE, 'inspect -f {{range $k').stdout);
    const db = resolveName(ctl, nb, 'db');
    expect(db.rcode === 'NOERROR' && `PING db (${db.addresses[0] as string}): 56 data bytes\n`).toBe(step(FILE, 'exec n-b sh -c ping').stdout);
    expect(ctl.resolvConf(nb)).toBe(step(FILE, 'exec n-b cat /etc/resolv.conf').stdout);

    ctl.join(nb, 'back', { fromConnect: true });
    const addrs = ['lo 127.0.0.1/8\n', ...nb.endpoints.map((e) => `${e.ifName as string} ${e.ipv4 as string}/${e.prefixLen}\n`)].join('');
    expect(addrs).toBe(step(FILE, 'exec n-b sh -c ip -4 -o addr').stdout);
    const from = na.endpoints.map((e) => ({ network: ctl.get(e.networkId), ip: e.ipv4 as string, ifName: e.ifName as string }));
    expect(reach(ctl.list(), from, from[0], '172.18.0.3').verdict).toBe('dropped');

    expect(() => ctl.remove('front')).toThrow(expect.objectContaining({ reason: 'ActiveEndpoints' }));
    expect(step(FILE, 'network rm front').stderr).toContain('has active endpoints');
    ctl.leave(nb, 'front');
    ctl.create({ name: 'tiny', ipam: { config: [{ subnet: '10.77.0.0/29' }] } });
    const t1 = start('t1', 'tiny');
    expect(`${t1.endpoints[0]?.ipv4 as string}\n`).toBe(step(FILE, 'inspect -f {{.NetworkSettings.Networks.tiny').stdout);
    expect(() => ctl.create({ name: 'clash', ipam: { config: [{ subnet: '10.77.0.0/24' }] } })).toThrow(
      expect.objectContaining({ reason: 'PoolOverlap' }),
    );
    expect(() => start('t2', 'tiny', { ipv4: '10.77.0.2' })).toThrow(expect.objectContaining({ reason: 'AddressInUse' }));
    const names = ctl.list().map((x) => x.name).sort().join('\n') + '\n';
    expect(names).toBe(step(FILE, 'network ls --format {{.Name}}', 1).stdout);
  });
});
