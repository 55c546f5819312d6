/**
 * `boxlab iptables` and `boxlab trace` read what a daemon's store holds: an engine (the daemon) runs
 * containers on two user networks and an internal one with two published ports, and a second engine
 * opened on the same root (the CLI) rebuilds the same firewall and the same packet paths. The paths'
 * verdicts are the engine's (test/network/FACTS.md, fixtures/transcripts/iptables.txt: across bridges
 * unreachable; an internal network has no way out) and the same as the containers' own ping, which
 * walks the same rules (netstack.ts → firewall.ts reach → packet.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { firewallView, traceFrom, type FirewallView } from '../../src/engine/firewall-view.js';
import { iptablesSave, type PortBinding } from '../../src/network/index.js';
import { formatTrace } from '../../src/cli/commands/trace.js';
import { boxlab } from '../cli/run.js';

const TAR = path.join(import.meta.dirname, '../fixtures/corpus/dk-build.dsave.tar');
let root: string;
let daemon: Engine;

async function exec(e: Engine, ref: string, cmd: string): Promise<{ code: number; out: string }> {
  const id = e.execs.create(ref, { Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true });
  let out = '';
  const code = await e.execs.start(id, (_s, d) => (out += Buffer.from(d).toString()));
  return { code, out };
}

async function run(name: string, network: string, ports: Record<string, { HostIp: string; HostPort: string }[]> = {}): Promise<void> {
  const { id } = await daemon.containers.create(
    { Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], HostConfig: { NetworkMode: network, PortBindings: ports }, NetworkingConfig: { EndpointsConfig: { [network]: {} } } },
    name,
  );
  await daemon.containers.start(id);
}

/** What the CLI sees: its own engine on the daemon's root. */
async function cliView(): Promise<FirewallView> {
  return firewallView(await Engine.open({ root }));
}

const ipOf = (name: string, net: string): string => daemon.containers.get(name).networks[net]?.IPAddress as string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-fwv-'));
  daemon = await Engine.open({ root });
  await daemon.images.load(TAR);
  await daemon.init();
  await daemon.networks.create({ Name: 'n1' });
  await daemon.networks.create({ Name: 'n2' });
  await daemon.networks.create({ Name: 'in1', Internal: true });
  await run('w1', 'n1', { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18481' }] });
  await run('w2', 'n2', { '8080/tcp': [{ HostIp: '', HostPort: '18482' }] });
  await run('w3', 'in1');
  await run('w4', 'n1');
}, 60_000);

afterAll(async () => {
  for (const c of daemon.containers.all()) await daemon.containers.remove(c.id, { force: true });
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the firewall of a store a daemon holds', () => {
  it('prints the networks’ rules and each running container’s published ports, in start order', async () => {
    const view = await cliView();
    const bridge = (net: string) => daemon.networks.get(net).bridge as string;
    const bindings: PortBinding[] = [
      { containerId: daemon.containers.get('w1').id, bridge: bridge('n1'), containerIp: ipOf('w1', 'n1'), proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPort: 18481, allAddresses: false },
      { containerId: daemon.containers.get('w2').id, bridge: bridge('n2'), containerIp: ipOf('w2', 'n2'), proto: 'tcp', containerPort: 8080, hostIp: '0.0.0.0', hostPort: 18482, allAddresses: true },
    ];
    expect(view.rules).toBe(iptablesSave(daemon.networks.list(), bindings));
    expect(view.rules).toContain(`-A DOCKER -d 127.0.0.1/32 ! -i ${bridge('n1')} -p tcp -m tcp --dport 18481 -j DNAT --to-destination ${ipOf('w1', 'n1')}:80\n-A DOCKER ! -i ${bridge('n2')} -p tcp`);
  });

  it('rebuilds each running container’s endpoints with the addresses the daemon gave them', async () => {
    const view = await cliView();
    expect(view.containers.map((c) => [c.record.name, c.sandbox.endpoints.map((e) => `${e.ifName} ${e.ipv4}`)])).toEqual([
      ['/w1', [`eth0 ${ipOf('w1', 'n1')}`]],
      ['/w2', [`eth0 ${ipOf('w2', 'n2')}`]],
      ['/w3', [`eth0 ${ipOf('w3', 'in1')}`]],
      ['/w4', [`eth0 ${ipOf('w4', 'n1')}`]],
    ]);
  });
});

describe('boxlab trace', () => {
  const cases: [string, string, 'delivered' | 'host' | 'dropped' | 'outbound', string][] = [
    ['w1', 'w4', 'delivered', 'FORWARD -i BR(n1) -o BR(n1) -j ACCEPT'],
    ['w1', 'w2', 'dropped', 'DOCKER-ISOLATION-STAGE-2 -o BR(n2) -j DROP'],
    ['w1', 'w3', 'dropped', 'DOCKER-ISOLATION-STAGE-1 ! -s SUBNET(in1) -o BR(in1) -j DROP'],
    ['w3', '192.0.2.1', 'dropped', 'DOCKER-ISOLATION-STAGE-1 ! -d SUBNET(in1) -i BR(in1) -j DROP'],
    ['w1', '192.0.2.1', 'outbound', 'POSTROUTING -s SUBNET(n1) ! -o BR(n1) -j MASQUERADE'],
    ['w1', 'host', 'host', 'INPUT on BR(n1)'],
  ];
  const words = (s: string) =>
    s
      .replace(/BR\((\w+)\)/g, (_m, n: string) => daemon.networks.get(n).bridge as string)
      .replace(/SUBNET\((\w+)\)/g, (_m, n: string) => (daemon.networks.inspect(n) as { IPAM: { Config: { Subnet: string }[] } }).IPAM.Config[0]?.Subnet as string);

  it.each(cases)('%s → %s: %s (%s)', async (from, to, verdict, by) => {
    const t = traceFrom(await cliView(), from, { dest: to });
    expect(t.path.verdict).toBe(verdict);
    expect(t.path.by).toBe(words(by));
  });

  it('agrees with the containers’ own ping, which walks the same rules', async () => {
    const view = await cliView();
    for (const [from, to, verdict] of cases) {
      const t = traceFrom(view, from, { dest: to });
      const ping = await exec(daemon, from, `ping -c 1 -W 1 ${t.dst}`);
      expect([from, to, ping.code === 0]).toEqual([from, to, verdict === 'delivered' || verdict === 'host']);
    }
  });

  it('draws every hop from eth0 through the chains to the peer’s eth0', async () => {
    const text = formatTrace(traceFrom(await cliView(), 'w1', { dest: 'w4' }));
    const at = text.split('\n').slice(1, -2).map((l) => l.trim().split(/\s{2,}/).slice(1).join(' | '));
    const br = daemon.networks.get('n1').bridge as string;
    expect(at.map((l) => l.replace(/veth[0-9a-f]{7}/, 'vethX'))).toEqual([
      `eth0 | ${ipOf('w1', 'n1')} → ${ipOf('w4', 'n1')} (on-link)`,
      'vethX | host side of the veth pair',
      `${br} | bridge of network n1`,
      'nat PREROUTING | no rule matches: policy ACCEPT',
      `bridging | ${ipOf('w4', 'n1')} is on ${br} itself (br_netfilter hands bridged frames to FORWARD)`,
      'filter FORWARD | -A FORWARD -j DOCKER-USER',
      'filter DOCKER-USER | -A DOCKER-USER -j RETURN',
      'filter FORWARD | -A FORWARD -j DOCKER-ISOLATION-STAGE-1',
      'filter DOCKER-ISOLATION-STAGE-1 | -A DOCKER-ISOLATION-STAGE-1 -j RETURN',
      `filter FORWARD | -A FORWARD -o ${br} -j DOCKER`,
      `filter FORWARD | -A FORWARD -i ${br} -o ${br} -j ACCEPT`,
      `nat POSTROUTING | no rule matches: policy ACCEPT`,
      'vethX | bridge port of w4',
      'eth0 of w4 | ' + `${ipOf('w4', 'n1')}: delivered`,
    ]);
    expect(text).toMatch(/DELIVERED to w4/);
  });

  it('reaches a port published on every address through docker-proxy, but not one bound to 127.0.0.1', async () => {
    const view = await cliView();
    const open = traceFrom(view, 'w4', { dest: 'host:18482' });
    expect(open.path).toMatchObject({ verdict: 'delivered', endpoint: { name: 'w2' } });
    const loopOnly = traceFrom(view, 'w4', { dest: 'host:18481' });
    expect(loopOnly.path.verdict).toBe('dropped');
    expect(loopOnly.path.by).toMatch(/^nothing listens on 172\.\d+\.0\.1:18481\/tcp/);
  });
});

describe('the commands', () => {
  it('print the same rules and paths from the command line while the daemon runs, and only the networks’ after it stops', async () => {
    const rules = await boxlab(root, ['iptables']);
    expect(rules).toMatchObject({ code: 0, stdout: (await cliView()).rules });
    const trace = await boxlab(root, ['trace', 'w1', 'w2']);
    expect(trace.code).toBe(1);
    expect(trace.stdout).toContain('DROPPED: DOCKER-ISOLATION-STAGE-2');
    expect(trace.stdout).toContain('why: the source and destination are on different bridge networks');
    for (const c of daemon.containers.all()) await daemon.containers.stop(c.id, 0);
    const after = await boxlab(root, ['iptables']);
    expect(after.stdout).toBe(iptablesSave(daemon.networks.list(), []));
    expect((await boxlab(root, ['trace', 'w1', 'w2'])).stderr).toMatch(/no running container w1/);
  }, 60_000);
});
