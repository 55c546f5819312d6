/**
 * `docker run` / `docker create` flags through the engine, as a 20.10 daemon answers them (measured
 * with test/oracle/scenarios/run-flags*.sh): the create-time checks and their words, `--entrypoint ""`,
 * capabilities in /proc/self/status and ping, `--group-add`, `--add-host` and `--dns*` in the files,
 * and `docker logs` of a container whose log driver is none.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { engineFixture } from '../../helpers/engine.js';
import { capMask, containerCaps } from '../../../src/engine/containers/caps.js';
import { checkLogsReadable } from '../../../src/engine/containers/verify.js';

const setup = engineFixture('bx-rf-');

let n = 0;
async function run(e: Engine, script: string, extra: Record<string, unknown> = {}, name = `rf${++n}`) {
  await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', script], ...extra }, name);
  const w = e.containers.wait(name, 'next-exit');
  await e.containers.start(name);
  const code = await w.done;
  const out = e.containers.logOf(name).read().map((r) => r.line.toString()).join('');
  return { code, out };
}

const createError = async (e: Engine, body: Record<string, unknown>) =>
  e.containers.create({ Image: 'dk-build', Cmd: ['true'], ...body }).then(
    () => 'created',
    (err: Error) => err.message,
  );

describe('the checks of a create', () => {
  it("refuses what moby's verifyContainerSettings refuses, in its words", async () => {
    const e = await setup();
    expect(await createError(e, { WorkingDir: 'relative' })).toBe("the working directory 'relative' is invalid, it needs to be an absolute path");
    expect(await createError(e, { StopSignal: 'NOSUCH' })).toBe('Invalid signal: NOSUCH');
    expect(await createError(e, { HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } } })).toBe("maximum retry count cannot be used with restart policy 'always'");
    expect(await createError(e, { HostConfig: { RestartPolicy: { Name: 'bogus' } } })).toBe("invalid restart policy 'bogus'");
    expect(await createError(e, { HostConfig: { CapAdd: ['CAP_BOGUS'] } })).toBe('invalid CapAdd: unknown capability: "CAP_BOGUS"');
    expect(await createError(e, { HostConfig: { Memory: 1024 * 1024 } })).toBe('Minimum memory limit allowed is 6MB');
    expect(await createError(e, { HostConfig: { LogConfig: { Type: 'bogus' } } })).toBe('error looking up logging plugin bogus: plugin "bogus" not found');
    expect(await createError(e, { HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } })).toBe("can't create 'AutoRemove' container with restart policy");
    expect(await createError(e, { StopSignal: 'USR1', HostConfig: { LogConfig: { Type: 'none' }, CapDrop: ['ALL'] } })).toBe('created');
  });

  it('clears the entrypoint for --entrypoint "" and runs the command alone', async () => {
    const e = await setup();
    await e.containers.create({ Image: 'dk-build', Entrypoint: [''], Cmd: ['echo', 'x'] }, 'ep');
    const c = e.containers.get('ep');
    expect([c.config.Entrypoint, c.path, c.args]).toEqual([null, 'echo', ['x']]);
  });
});

describe("a container's capabilities", () => {
  it('computes the masks moby TweakCapabilities grants', () => {
    expect(capMask(containerCaps({}))).toBe('00000000a80425fb');
    expect(capMask(containerCaps({ CapDrop: ['ALL'] }))).toBe('0000000000000000');
    expect(capMask(containerCaps({ CapDrop: ['ALL'], CapAdd: ['NET_BIND_SERVICE', 'CAP_CHOWN'] }))).toBe('0000000000000401');
    expect(capMask(containerCaps({ CapDrop: ['NET_RAW'] }))).toBe('00000000a80405fb');
    expect(capMask(containerCaps({ Privileged: true }))).toBe('000001ffffffffff');
  });

  it('shows them in /proc/self/status, and ping needs CAP_NET_RAW', async () => {
    const e = await setup();
    const r = await run(e, 'grep CapEff /proc/self/status; ping -c 1 127.0.0.1 >/dev/null; echo $?', { HostConfig: { CapDrop: ['CAP_NET_RAW'], NetworkMode: 'none' } });
    expect(r.out).toBe('CapEff:\t00000000a80405fb\nping: permission denied (are you root?)\n1\n');
    const user = await run(e, 'grep -E "CapEff|CapBnd" /proc/self/status', { User: '1000', HostConfig: { CapDrop: ['ALL'], CapAdd: ['CAP_KILL'], NetworkMode: 'none' } });
    expect(user.out).toBe('CapEff:\t0000000000000000\nCapBnd:\t0000000000000020\n');
  });
});

describe('--group-add', () => {
  it('adds numbers as given and refuses a name /etc/group lacks at start', async () => {
    const e = await setup();
    expect((await run(e, 'grep Groups /proc/self/status', { HostConfig: { GroupAdd: ['1234'], NetworkMode: 'none' } })).out).toBe('Groups:\t0 1234 \n');
    await e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { GroupAdd: ['nosuchgroup'], NetworkMode: 'none' } }, 'ga');
    await expect(e.containers.start('ga')).rejects.toThrow('Unable to find group nosuchgroup: no matching entries in group file');
  });
});

describe('--add-host and --dns', () => {
  it('writes the records into /etc/hosts and the servers, search and options into resolv.conf', async () => {
    const e = await setup();
    const { out } = await run(e, 'sed -n 7,8p /etc/hosts; cat /etc/resolv.conf', {
      HostConfig: { ExtraHosts: ['db:10.1.2.3', 'v6:fd00::1'], Dns: ['10.0.0.53'], DnsSearch: ['example.test'], DnsOptions: ['ndots:2'] },
    });
    expect(out).toBe('10.1.2.3\tdb\nfd00::1\tv6\nsearch example.test\nnameserver 10.0.0.53\noptions ndots:2\n');
  });
});

describe('the none log driver', () => {
  it('has no reader for docker logs', () => {
    expect(() => checkLogsReadable({ LogConfig: { Type: 'none', Config: {} } })).toThrow('configured logging driver does not support reading');
    expect(() => checkLogsReadable({ LogConfig: { Type: 'json-file', Config: {} } })).not.toThrow();
  });
});

describe('--init', () => {
  it('runs docker-init as PID 1, which forwards the stop signal to the command and exits as it did', async () => {
    const e = await setup();
    const r = await run(e, 'cat /proc/1/comm; tr "\\0" " " </proc/1/cmdline; echo; ls -l /sbin/docker-init | cut -c1-10', { HostConfig: { Init: true, NetworkMode: 'none' } });
    expect(r.out).toBe('docker-init\n/sbin/docker-init -- sh -c cat /proc/1/comm; tr "\\0" " " </proc/1/cmdline; echo; ls -l /sbin/docker-init | cut -c1-10 \n-rwxr-xr-x\n');
    await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], HostConfig: { Init: true, NetworkMode: 'none' } }, 'init2');
    await e.containers.start('init2');
    const c = e.containers.get('init2');
    expect([c.path, c.args]).toEqual(['sh', ['-c', 'sleep 3600']]);
    await e.containers.stop('init2', 5);
    expect(e.containers.get('init2').state.ExitCode).toBe(143);
  });
});

describe('supplementary groups', () => {
  it('hold the primary group when the image names none, sorted with --group-add', async () => {
    const e = await setup();
    expect((await run(e, 'id', { User: '65534:100', HostConfig: { NetworkMode: 'none' } })).out).toBe('uid=65534 gid=100 groups=100\n');
    expect((await run(e, 'id', { User: '0:0', HostConfig: { GroupAdd: ['1234'], NetworkMode: 'none' } })).out).toBe('uid=0 gid=0 groups=0,1234\n');
  });
});
