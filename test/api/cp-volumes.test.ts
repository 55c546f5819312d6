/**
 * `docker cp` sees a container's volumes and bind mounts (moby daemon/archive.go mounts them for the
 * copy, container.MountVolumes), stopped or running, and never a byte outside a bind's source: every
 * path goes through the container's scope, symlinks in the bind resolving in the container. The
 * expected answers are a private real dockerd's (20.10, --bridge=none), same container and commands:
 * - cp into a named volume and a bind lands in `_data` and the host dir, stopped or running;
 * - cp into a `:ro` volume: `Error response from daemon: mounted volume is marked read-only`;
 * - cp into a --tmpfs path of a never-started container: `Could not find the file /tm in container cs`
 *   (the tmpfs lives in the container's namespace only; once started, its mount point is in the rootfs);
 * - --read-only: `container rootfs is marked read-only`, a volume of it written all the same;
 * - `-v /missing:/m` of a never-started container: cp into /m/ succeeds and makes /missing;
 * - bind/loop -> loop: `evalSymlinksInScope: too many links in <rootfs>/b/loop`, both ways;
 * - bind/abs -> / and bind/rel -> ../.. take a copy to the container's /etc/x and /x, not the host's;
 *   bind/dang -> /nonexist as a directory: `Could not find the file /b/dang in container cs`;
 *   bind/up -> ../secret is archived as the link itself (`up`).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { describeWithTool, needTool } from '../support/tools.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');

function dockerAt(sock: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CLI_HINTS: 'false' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** Names of a `docker cp X -` tar's entries (GNU tar reads the stream). */
async function tarNames(sock: string, src: string): Promise<string[]> {
  const r = await new Promise<string>((resolve, reject) => {
    const c = spawn('sh', ['-c', `docker cp ${src} - | tar t`], { env: { ...process.env, DOCKER_HOST: `unix://${sock}` } });
    const out: Buffer[] = [];
    c.stdout.on('data', (b: Buffer) => out.push(b));
    c.on('error', reject);
    c.on('close', () => resolve(Buffer.concat(out).toString()));
  });
  return r.split('\n').filter(Boolean);
}

describeWithTool(needTool('docker', 'apt-get install docker.io'), 'docker cp through volumes and binds', () => {
  let dir: string;
  let engine: Engine;
  let daemon: Daemon;
  let sock: string;
  let host: string;
  let bind: string;
  let payload: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(join(tmpdir(), 'bx-cpvol-'));
    sock = join(dir, 'docker.sock');
    host = join(dir, 'host');
    bind = join(host, 'bind');
    fs.mkdirSync(bind, { recursive: true });
    fs.writeFileSync(join(host, 'secret'), 'outside\n');
    fs.writeFileSync(join(bind, 'f'), 'in\n');
    fs.symlinkSync('/', join(bind, 'abs'));
    fs.symlinkSync('../..', join(bind, 'rel'));
    fs.symlinkSync('/nonexist', join(bind, 'dang'));
    fs.symlinkSync('loop', join(bind, 'loop'));
    fs.symlinkSync('../secret', join(bind, 'up'));
    payload = join(dir, 'payload');
    fs.writeFileSync(payload, 'payload\n');
    engine = await Engine.open({ root: join(dir, 'root') });
    await engine.images.load(ARCHIVE);
    daemon = await Daemon.start(engine, { hosts: [{ kind: 'unix', path: sock }], log: () => {} });
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const hostUntouched = () => {
    expect(fs.readdirSync(host).sort()).toEqual(['bind', 'secret']);
    expect(fs.readFileSync(join(host, 'secret'), 'utf8')).toBe('outside\n');
    expect(fs.readdirSync(bind).sort()).toEqual(expect.arrayContaining(['abs', 'dang', 'f', 'loop', 'rel', 'up']));
    expect(fs.readlinkSync(join(bind, 'dang'))).toBe('/nonexist');
    expect(fs.existsSync('/x') || fs.existsSync('/etc/x') || fs.existsSync('/nonexist')).toBe(false);
  };
  const volData = (name: string) => join(dir, 'root', 'volumes', name, '_data');

  const create = async (name: string) => {
    const r = await dockerAt(sock, ['create', '--name', name, '-v', `${name}-vol:/vol`, '-v', `${bind}:/b`, '-v', `${name}-ro:/ro:ro`, '--tmpfs', '/tm', 'dk-build', 'sh', '-c', 'sleep 3600']);
    expect(r.stderr).toBe('');
  };

  describe('a stopped (never started) container', () => {
    beforeAll(() => create('cs'));

    it('copies into the named volume`s _data and the bind`s host dir, and out of them', async () => {
      expect(await dockerAt(sock, ['cp', payload, 'cs:/vol/p'])).toMatchObject({ code: 0, stderr: '' });
      expect(await dockerAt(sock, ['cp', payload, 'cs:/b/p'])).toMatchObject({ code: 0, stderr: '' });
      expect(fs.readFileSync(join(volData('cs-vol'), 'p'), 'utf8')).toBe('payload\n');
      expect(fs.readFileSync(join(bind, 'p'), 'utf8')).toBe('payload\n');
      const out = join(dir, 'out-f');
      expect(await dockerAt(sock, ['cp', 'cs:/b/f', out])).toMatchObject({ code: 0 });
      expect(fs.readFileSync(out, 'utf8')).toBe('in\n');
      hostUntouched();
    }, 60_000);

    it('refuses a read-only volume with the engine`s words, and does not see a tmpfs', async () => {
      expect(await dockerAt(sock, ['cp', payload, 'cs:/ro/p'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: mounted volume is marked read-only\n' });
      expect(fs.readdirSync(volData('cs-ro'))).toEqual([]);
      expect(await dockerAt(sock, ['cp', payload, 'cs:/tm/p'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: Could not find the file /tm in container cs\n' });
    }, 60_000);

    it('resolves symlinks in the bind inside the container: /, ../.., dangling, a loop', async () => {
      expect(await dockerAt(sock, ['cp', payload, 'cs:/b/abs/etc/x'])).toMatchObject({ code: 0, stderr: '' });
      expect(await dockerAt(sock, ['cp', payload, 'cs:/b/rel/x'])).toMatchObject({ code: 0, stderr: '' });
      expect((await tarNames(sock, 'cs:/etc/x'))).toEqual(['x']);
      expect((await tarNames(sock, 'cs:/x'))).toEqual(['x']);
      expect(await dockerAt(sock, ['cp', payload, 'cs:/b/dang/x'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: Could not find the file /b/dang in container cs\n' });
      const loop = await dockerAt(sock, ['cp', payload, 'cs:/b/loop/x']);
      // the engine names the path under the rootfs' merged dir on its host: .../merged/b/loop
      expect(loop).toMatchObject({ code: 1, stderr: 'Error response from daemon: evalSymlinksInScope: too many links in /b/loop\n' });
      expect(await dockerAt(sock, ['cp', 'cs:/b/loop/', join(dir, 'out-loop')])).toMatchObject({ code: 1, stderr: 'Error response from daemon: evalSymlinksInScope: too many links in /b/loop\n' });
      expect(fs.existsSync(join(bind, 'x'))).toBe(false);
      // the dangling link as the destination file: the CLI follows it to /nonexist in the container
      expect(await dockerAt(sock, ['cp', payload, 'cs:/b/dang'])).toMatchObject({ code: 0 });
      expect(fs.readlinkSync(join(bind, 'dang'))).toBe('/nonexist');
      hostUntouched();
    }, 60_000);

    it('archives a link out of the bind as the link itself, and a link to ../.. as the container`s root', async () => {
      expect(await tarNames(sock, 'cs:/b/up')).toEqual(['up']);
      const names = await tarNames(sock, 'cs:/b/rel/');
      expect(names).toContain('rel/.dockerenv');
      expect(names).not.toContain('rel/secret');
      expect(names.some((n) => n.includes('cpvol') || n.includes('bx-'))).toBe(false);
      expect((await dockerAt(sock, ['cp', 'cs:/b/up/', join(dir, 'out-up')])).code).toBe(1);
      expect(fs.existsSync(join(dir, 'out-up'))).toBe(false);
      hostUntouched();
    }, 60_000);
  });

  describe('a running container', () => {
    beforeAll(async () => {
      await create('cr');
      expect((await dockerAt(sock, ['start', 'cr'])).code).toBe(0);
    }, 60_000);

    it('copies into the volume and the bind, seen inside at once and on the host', async () => {
      expect(await dockerAt(sock, ['cp', payload, 'cr:/vol/q'])).toMatchObject({ code: 0, stderr: '' });
      expect(await dockerAt(sock, ['cp', payload, 'cr:/b/q'])).toMatchObject({ code: 0, stderr: '' });
      expect((await dockerAt(sock, ['exec', 'cr', 'cat', '/vol/q', '/b/q'])).stdout).toBe('payload\npayload\n');
      expect(fs.readFileSync(join(volData('cr-vol'), 'q'), 'utf8')).toBe('payload\n');
      expect(fs.readFileSync(join(bind, 'q'), 'utf8')).toBe('payload\n');
      await dockerAt(sock, ['exec', 'cr', 'sh', '-c', 'echo from-inside > /vol/r']);
      const out = join(dir, 'out-r');
      expect(await dockerAt(sock, ['cp', 'cr:/vol/r', out])).toMatchObject({ code: 0 });
      expect(fs.readFileSync(out, 'utf8')).toBe('from-inside\n');
      expect(await dockerAt(sock, ['cp', payload, 'cr:/ro/p'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: mounted volume is marked read-only\n' });
      hostUntouched();
    }, 60_000);

    it('writes a --tmpfs path in the rootfs under the mount, not in the container`s tmpfs', async () => {
      expect(await dockerAt(sock, ['cp', payload, 'cr:/tm/p'])).toMatchObject({ code: 0, stderr: '' });
      expect((await dockerAt(sock, ['exec', 'cr', 'ls', '/tm'])).stdout).toBe('');
      expect(await tarNames(sock, 'cr:/tm/p')).toEqual(['p']);
    }, 60_000);

    it('does not disturb the running task`s binds: it still reads and writes its bind after many copies', async () => {
      await dockerAt(sock, ['cp', 'cr:/b/f', join(dir, 'o')]);
      // the daemon runs in this process: each copy's bind fds are closed after its request
      const fds = fs.readdirSync('/proc/self/fd').length;
      for (let i = 0; i < 5; i++) expect((await dockerAt(sock, ['cp', 'cr:/b/f', join(dir, `o${i}`)])).code).toBe(0);
      for (let i = 0; i < 3; i++) expect((await dockerAt(sock, ['cp', payload, `cr:/b/w${i}`])).code).toBe(0);
      expect(fs.readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(fds);
      expect((await dockerAt(sock, ['exec', 'cr', 'sh', '-c', 'echo again > /b/again; cat /b/f'])).stdout).toBe('in\n');
      expect(fs.readFileSync(join(bind, 'again'), 'utf8')).toBe('again\n');
    }, 60_000);
  });

  it('with --read-only refuses the rootfs with the engine`s words but writes a volume; reads stay allowed', async () => {
    expect((await dockerAt(sock, ['create', '--name', 'cro', '--read-only', '-v', 'rv:/vol', 'dk-build', 'sh'])).code).toBe(0);
    expect(await dockerAt(sock, ['cp', payload, 'cro:/etc/p'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: container rootfs is marked read-only\n' });
    expect(await dockerAt(sock, ['cp', payload, 'cro:/vol/p'])).toMatchObject({ code: 0, stderr: '' });
    expect(fs.readFileSync(join(volData('rv'), 'p'), 'utf8')).toBe('payload\n');
    expect(await tarNames(sock, 'cro:/etc/hostname')).toEqual(['hostname']);
  }, 60_000);

  it('makes a missing `-v` bind source for the copy, as the engine does, and lands the file there', async () => {
    const missing = join(dir, 'missing', 'm');
    expect((await dockerAt(sock, ['create', '--name', 'cm', '-v', `${missing}:/m`, 'dk-build', 'sh'])).code).toBe(0);
    expect(await dockerAt(sock, ['cp', payload, 'cm:/m/'])).toMatchObject({ code: 0, stderr: '' });
    expect(fs.readFileSync(join(missing, 'payload'), 'utf8')).toBe('payload\n');
  }, 60_000);
});
