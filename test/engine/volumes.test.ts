/**
 * The volume service through the engine, as `docker` would drive it: named volumes made on first
 * use and filled from the image when empty (not with nocopy, not when they hold anything), anonymous
 * volumes removed by `rm -v` and `--rm` and kept by a plain `rm`, a volume in use refused, bytes on
 * disk under <root>/volumes/<name>/_data that a new engine on the same root finds again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function setup(root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-vol-'))) {
  dirs.push(root);
  const engine = await Engine.open({ root });
  await engine.init();
  if (!(await engine.images.list()).length) await engine.images.load(path.join(import.meta.dirname, '../fixtures/corpus/dk-build.dsave.tar'));
  return { engine, root };
}

/** docker run: create, start, wait; what it printed. */
async function run(engine: Engine, cmd: string, hostConfig: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<{ id: string; out: string }> {
  const { id } = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', cmd], HostConfig: hostConfig, ...extra });
  const chunks: string[] = [];
  const l = engine.containers.listen(id, (_s, d) => chunks.push(Buffer.from(d).toString()));
  // the exit is recorded (and --rm done) before it resolves
  const done = engine.containers.wait(id, hostConfig.AutoRemove ? 'removed' : 'next-exit').done;
  await engine.containers.start(id);
  await done;
  l.stop();
  return { id, out: chunks.join('') };
}

const msg = async (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.message);

describe('volumes', () => {
  it('fills an empty named volume from the image once, and two containers share its bytes', async () => {
    const { engine, root } = await setup();
    expect((await run(engine, 'ls /srv/site', { Binds: ['site:/srv/site'] })).out).toBe('index.html\n');
    await run(engine, 'echo hello > /srv/site/greeting', { Binds: ['site:/srv/site'] });
    expect(fs.readFileSync(path.join(root, 'volumes/site/_data/greeting'), 'utf8')).toBe('hello\n');
    // a non-empty volume hides the image's other directory
    expect((await run(engine, 'ls /var/log', { Binds: ['site:/var/log'] })).out).toBe('greeting\nindex.html\n');
  });

  it('copies nothing with nocopy, and fills the still-empty volume at a later mount without it', async () => {
    const { engine } = await setup();
    expect((await run(engine, 'ls /srv/site', { Binds: ['nc:/srv/site:nocopy'] })).out).toBe('');
    expect((await run(engine, 'ls /srv/site', { Mounts: [{ Type: 'volume', Source: 'nc2', Target: '/srv/site', VolumeOptions: { NoCopy: true } }] })).out).toBe('');
    expect((await run(engine, 'ls /srv/site', { Binds: ['nc:/srv/site'] })).out).toBe('index.html\n');
  });

  it('refuses to remove a volume a container (even a stopped one) uses, in the engine`s words', async () => {
    const { engine } = await setup();
    const { id } = await run(engine, 'true', { Binds: ['used:/data'] });
    expect(await msg(Promise.resolve().then(() => engine.volumes.remove('used')))).toBe(`remove used: volume is in use - [${id}]`);
    expect(() => engine.volumes.get('nope')).toThrow('get nope: no such volume');
    await engine.containers.remove(id);
    engine.volumes.remove('used');
    expect(engine.volumes.list().map((v) => v.name)).toEqual([]);
  });

  it('removes anonymous volumes with rm -v and --rm, keeps them with a plain rm, never a named one', async () => {
    const { engine } = await setup();
    const a = await run(engine, 'true', { Binds: ['named:/n'] }, { Volumes: { '/anon': {} } });
    const anon = a.id && engine.containers.get(a.id).mounts.find((m) => m.Destination === '/anon')!.Name!;
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    await engine.containers.remove(a.id);
    expect(engine.volumes.list().map((v) => v.name).sort()).toEqual([anon, 'named'].sort());
    const b = await run(engine, 'true', { Mounts: [{ Type: 'volume', Target: '/m' }] }, { Volumes: { '/anon': {} } });
    await engine.containers.remove(b.id, { removeVolumes: true });
    expect(engine.volumes.list().map((v) => v.name).sort()).toEqual([anon, 'named'].sort());
    await run(engine, 'true', { AutoRemove: true }, { Volumes: { '/gone': {} } });
    expect(engine.volumes.list()).toHaveLength(2);
  });

  it('keeps a volume`s bytes for a new engine on the same root (a restarted daemon)', async () => {
    const { engine, root } = await setup();
    engine.volumes.create({ Name: 'keep', Labels: { a: 'b' } });
    await run(engine, 'echo persisted > /v/f', { Binds: ['keep:/v'] });
    const again = (await setup(root)).engine;
    expect(engine).not.toBe(again);
    expect(again.volumes.json(again.volumes.get('keep'))).toMatchObject({ Name: 'keep', Labels: { a: 'b' }, Mountpoint: '/var/lib/docker/volumes/keep/_data', Driver: 'local' });
    expect((await run(again, 'cat /v/f', { Binds: ['keep:/v'] })).out).toBe('persisted\n');
  });

  it('lists with filters and prunes unused volumes, counting their files` bytes', async () => {
    const { engine } = await setup();
    engine.volumes.create({ Name: 'p1', Labels: { env: 'prod' } });
    engine.volumes.create({ Name: 'p2', Labels: { env: 'dev' } });
    const { id } = await run(engine, 'echo abc > /x/f', { Binds: ['p3:/x'] });
    const names = (f: Record<string, string[]>) => engine.volumes.list(new Map(Object.entries(f))).map((v) => v.name).sort();
    expect(names({ dangling: ['true'] })).toEqual(['p1', 'p2']);
    expect(names({ dangling: ['0'] })).toEqual(['p3']);
    expect(names({ label: ['env=dev'] })).toEqual(['p2']);
    expect(names({ name: ['p'], driver: ['local'] })).toEqual(['p1', 'p2', 'p3']);
    expect(() => names({ bogus: ['1'] })).toThrow("Invalid filter 'bogus'");
    expect(() => names({ dangling: ['maybe'] })).toThrow("Invalid filter 'dangling=[maybe]'");
    expect(engine.volumes.prune(new Map([['label', ['env=prod']]]))).toEqual({ deleted: ['p1'], reclaimed: 0 });
    await engine.containers.remove(id);
    const pruned = engine.volumes.prune();
    expect(pruned.deleted.sort()).toEqual(['p2', 'p3']);
    expect(pruned.reclaimed).toBe(4);
  });

  it('binds a host directory made by -v at start, read-only when asked (EROFS), refused by --mount when missing', async () => {
    const { engine } = await setup();
    const host = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-bind-'));
    dirs.push(host);
    await run(engine, 'echo in > /m/x', { Binds: [`${host}/made/here:/m`] });
    expect(fs.readFileSync(path.join(host, 'made/here/x'), 'utf8')).toBe('in\n');
    const ro = await run(engine, 'cat /m/here/x; echo no > /m/y 2>&1; echo done', { Binds: [`${host}/made:/m:ro`] });
    expect(ro.out).toBe('in\nsh: can\'t create /m/y: Read-only file system\ndone\n');
    expect(await msg(engine.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { Mounts: [{ Type: 'bind', Source: '/no/such/dir', Target: '/y' }] } }))).toBe(
      'invalid mount config for type "bind": bind source path does not exist: /no/such/dir',
    );
  });

  it('mounts a read-only rootfs with writable tmpfs and volumes over it', async () => {
    const { engine } = await setup();
    const r = await run(engine, 'touch /x 2>&1; echo a > /t/a; cat /t/a; echo b > /v/b; cat /v/b', { ReadonlyRootfs: true, Tmpfs: { '/t': 'size=1k' }, Binds: ['rw:/v'] });
    expect(r.out).toBe('touch: /x: Read-only file system\na\nb\n');
  });

  it('shows every mount in the container`s /proc/mounts table, sorted by depth, the /etc files read-only with a read-only rootfs', async () => {
    const { engine } = await setup();
    const host = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-bind-'));
    dirs.push(host);
    const { id } = await engine.containers.create({
      Image: 'dk-build',
      Cmd: ['sh', '-c', 'sleep 5'],
      HostConfig: { ReadonlyRootfs: true, Binds: ['vn:/data', `${host}:/h/deep:ro`], Tmpfs: { '/t2': 'size=2k,mode=700' }, Mounts: [{ Type: 'tmpfs', Target: '/tm', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } }] },
    });
    await engine.containers.start(id);
    const table = engine.runtime.mountTable(engine.containers.get(id))!.split('\n').filter(Boolean);
    await engine.containers.kill(id);
    const targets = table.map((l) => l.split(' ')[1]);
    // then runc's masked paths (/proc/kcore and the rest), last as in the engine's table
    expect(targets.slice(targets.indexOf('/data'), targets.indexOf('/etc/hosts') + 1)).toEqual(['/data', '/tm', '/t2', '/h/deep', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts']);
    expect(targets.slice(targets.indexOf('/etc/hosts') + 1).every((t) => !!t && (t.startsWith('/proc/') || t.startsWith('/sys/')))).toBe(true);
    expect(table[0]).toMatch(/^overlay \/ overlay ro,/);
    expect(table.find((l) => l.includes(' /data '))).toMatch(/^\S+ \/data \S+ rw,/);
    expect(table.find((l) => l.includes(' /h/deep '))).toMatch(/^\S+ \/h\/deep \S+ ro,/);
    expect(table.find((l) => l.includes(' /t2 '))).toBe('tmpfs /t2 tmpfs rw,nosuid,nodev,noexec,relatime,size=4k,mode=700 0 0');
    expect(table.find((l) => l.includes(' /tm '))).toBe('tmpfs /tm tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770 0 0');
    expect(table.find((l) => l.includes(' /etc/hosts '))).toMatch(/ ro,/);
  });
});
