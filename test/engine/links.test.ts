/**
 * Legacy links and names in the engine (moby registerLinks, buildSandboxOptions, setupLinkedContainers,
 * docker/links ToEnv; libnetwork CreateOptionAlias), the values measured in the scenario
 * network-names-2 against a real 20.10 engine; and `network create`'s refusals before libnetwork.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { engineFixture } from '../helpers/engine.js';
import { inspectContainer } from '../../src/engine/containers/inspect.js';
import { linkEnv } from '../../src/engine/links.js';

const setup = engineFixture('bx-links-');

async function run(e: Engine, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { id } = await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], ...extra }, name);
  await e.containers.start(id);
  return id;
}

async function sh(e: Engine, ref: string, cmd: string): Promise<string> {
  const id = e.execs.create(ref, { Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true });
  let out = '';
  await e.execs.start(id, (_s, d) => {
    out += Buffer.from(d).toString();
  });
  return out;
}

const hostConfigOf = (e: Engine, ref: string) => inspectContainer(e.containers.get(ref), { lowerDirs: [], execIds: [], ports: {} }).HostConfig as Record<string, unknown>;

describe('link environment (docker/links ToEnv)', () => {
  it('names the lowest port first, bulks consecutive ports, and leaves out HOME and PATH', () => {
    const env = linkEnv('/web/my-db', '172.17.0.2', ['A=1', 'PATH=/bin', 'HOME=/root', 'NOVALUE'], { '5432/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {}, '8002/tcp': {} });
    expect(env[0]).toBe('MY_DB_PORT=udp://172.17.0.2:53');
    expect(env).toContain('MY_DB_PORT_8000_TCP_START=tcp://172.17.0.2:8000');
    expect(env).toContain('MY_DB_PORT_8000_TCP_END=tcp://172.17.0.2:8002');
    expect(env).toContain('MY_DB_PORT_8000_TCP_PORT_END=8002');
    expect(env).toContain('MY_DB_PORT_5432_TCP_PROTO=tcp');
    expect(env.slice(-2)).toEqual(['MY_DB_NAME=/web/my-db', 'MY_DB_ENV_A=1']);
  });
});

describe('legacy links on the default bridge', () => {
  it('writes the child into /etc/hosts, gives its environment to exec, and shows the graph in inspect', async () => {
    const e = await setup();
    await run(e, 'db', { Env: ['SECRET=s3'], ExposedPorts: { '5432/tcp': {} } });
    await run(e, 'web', { HostConfig: { Links: ['db:dbalias'] } });
    const child = e.containers.get('db').id.slice(0, 12);
    expect(await sh(e, 'web', 'grep -w db /etc/hosts')).toBe(`172.17.0.2\tdbalias ${child} db\n`);
    expect(await sh(e, 'web', 'env | grep ^DBALIAS_ | sort')).toBe(
      ['DBALIAS_ENV_SECRET=s3', 'DBALIAS_NAME=/web/dbalias', 'DBALIAS_PORT=tcp://172.17.0.2:5432', 'DBALIAS_PORT_5432_TCP=tcp://172.17.0.2:5432',
        'DBALIAS_PORT_5432_TCP_ADDR=172.17.0.2', 'DBALIAS_PORT_5432_TCP_PORT=5432', 'DBALIAS_PORT_5432_TCP_PROTO=tcp', ''].join('\n'));
    expect(await sh(e, 'web', 'ping -c 1 -W 1 dbalias | head -n 1')).toBe('PING dbalias (172.17.0.2): 56 data bytes\n');
    expect(hostConfigOf(e, 'web').Links).toEqual(['/db:/web/dbalias']);
    expect(hostConfigOf(e, 'db').Links).toBeNull();
  });

  it('refuses a child that does not exist at create and one that does not run at start', async () => {
    const e = await setup();
    await expect(e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { Links: ['nosuch:x'] } }, 'p1')).rejects.toThrow(
      'could not get container for nosuch: No such container: nosuch',
    );
    await e.containers.create({ Image: 'dk-build', Cmd: ['true'] }, 'stopped');
    const { id } = await e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { Links: ['stopped:s'] } }, 'p2');
    await expect(e.containers.start(id)).rejects.toThrow('Cannot link to a non running container: /stopped AS /p2/s');
  });
});

describe('links on a user-defined network', () => {
  it('makes the alias a name only the linking container resolves, and registers nothing', async () => {
    const e = await setup();
    await e.networks.create({ Name: 'app' });
    const onApp = (links?: string[]) => ({ HostConfig: { NetworkMode: 'app', ...(links ? { Links: links } : {}) }, NetworkingConfig: { EndpointsConfig: { app: links ? { Links: links } : {} } } });
    await run(e, 'api', onApp());
    await run(e, 'cli', onApp(['api:apilink', 'nosuch:x']));
    await run(e, 'other', onApp());
    expect(await sh(e, 'cli', 'nslookup apilink | grep -A1 ^Name:')).toBe('Name:\tapilink\nAddress: 172.18.0.2\n');
    expect(await sh(e, 'cli', 'ping -c 1 -W 1 apilink.app | head -n 1')).toBe('PING apilink.app (172.18.0.2): 56 data bytes\n');
    expect(await sh(e, 'other', 'nslookup apilink | tail -n 2')).toBe("** server can't find apilink: NXDOMAIN\n\n");
    expect(await sh(e, 'cli', 'env | grep -c ^APILINK_')).toBe('0\n');
    expect(hostConfigOf(e, 'cli').Links).toBeNull();
    expect(e.containers.get('cli').networks.app?.Links).toEqual(['api:apilink', 'nosuch:x']);
  });
});

describe('hostname and domainname', () => {
  it('answers hostname -f, -d and dnsdomainname from the /etc/hosts line the engine writes', async () => {
    const e = await setup();
    await run(e, 'named', { Hostname: 'box', Domainname: 'example.test' });
    expect(await sh(e, 'named', 'hostname; hostname -f; hostname -d; dnsdomainname')).toBe('box\nbox.example.test\nexample.test\nexample.test\n');
    await run(e, 'plain', { Hostname: 'solo' });
    expect(await sh(e, 'plain', 'hostname -f; dnsdomainname; echo end')).toBe('solo\nend\n');
  });
});

describe('network create refusals before libnetwork', () => {
  it("words a subnet Go cannot parse and an unknown driver as the daemon does", async () => {
    const e = await setup();
    await expect(e.networks.create({ Name: 'b1', IPAM: { Config: [{ Subnet: '10.1.2.3/33' }] } })).rejects.toThrow('Invalid subnet 10.1.2.3/33 : invalid CIDR address: 10.1.2.3/33');
    await expect(e.networks.create({ Name: 'b2', IPAM: { Config: [{ Subnet: 'notasubnet' }] } })).rejects.toThrow('Invalid subnet notasubnet : invalid CIDR address: notasubnet');
    await expect(e.networks.create({ Name: 'b3', Driver: 'nosuchdriver' })).rejects.toThrow('plugin "nosuchdriver" not found');
  });
});

describe('names as networks come and go', () => {
  it('keeps resolv.conf on the embedded DNS after the user network is left', async () => {
    const e = await setup();
    await e.networks.create({ Name: 'app-net' });
    await run(e, 'd1');
    const before = await sh(e, 'd1', 'cat /etc/resolv.conf');
    expect(before).not.toContain('127.0.0.11');
    await e.networks.connect('app-net', 'd1');
    expect(await sh(e, 'd1', 'cat /etc/resolv.conf')).toBe('nameserver 127.0.0.11\noptions ndots:0\n');
    await e.networks.disconnect('app-net', 'd1');
    expect(await sh(e, 'd1', 'cat /etc/resolv.conf')).toBe('nameserver 127.0.0.11\noptions ndots:0\n');
  });

  it('leaves a stopped container entry as it is when the network is connected again', async () => {
    const e = await setup();
    await e.networks.create({ Name: 'app-net' });
    await e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { NetworkMode: 'app-net' }, NetworkingConfig: { EndpointsConfig: { 'app-net': { Aliases: ['late'] } } } }, 'later');
    await e.networks.connect('app-net', 'later', { Aliases: ['extra'] });
    expect(e.containers.get('later').networks['app-net']?.Aliases).toEqual(['late']);
  });

  it('refuses links with the host network, as parent or child', async () => {
    const e = await setup();
    const words = "conflicting options: host type networking can't be used with links";
    await expect(e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { NetworkMode: 'host', Links: ['x:y'] } }, 'h1')).rejects.toThrow(words);
    await e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { NetworkMode: 'host' } }, 'hosty');
    await expect(e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { Links: ['hosty:h'] } }, 'h2')).rejects.toThrow(words);
  });
});

describe('names that change', () => {
  it('writes a dotted hostname with its first label, and follows a renamed child until it is removed', async () => {
    const e = await setup();
    await e.networks.create({ Name: 'pn' });
    await run(e, 'dotted', { Hostname: 'web.local', HostConfig: { NetworkMode: 'pn' } });
    expect(await sh(e, 'dotted', 'grep web /etc/hosts; hostname -f; dnsdomainname')).toBe('172.18.0.2\tweb.local web\nweb.local\nlocal\n');
    await run(e, 'db');
    await run(e, 'web', { HostConfig: { Links: ['db:d'] } });
    await e.containers.rename('db', 'db2');
    expect(hostConfigOf(e, 'web').Links).toEqual(['/db2:/web/d']);
    await e.containers.restart('web', 0);
    expect(await sh(e, 'web', 'grep -w d /etc/hosts | cut -f2 | cut -d" " -f1,3')).toBe('d db2\n');
    await e.containers.remove('db2', { force: true });
    await expect(e.containers.restart('web', 0)).rejects.toThrow('Cannot link to a non running container: /db2 AS /web/d');
  });
});
