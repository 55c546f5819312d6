/**
 * `docker import` through the engine: a root filesystem tar (plain or gzip) becomes a one-layer
 * image whose config is moby's (keys sorted, the empty container config, `Imported from -`), the
 * --change instructions a commit accepts applied and the others refused in BuildFromConfig's words,
 * a tar Docker's unpack refuses refused in the chrooted untar's words, and a failed import leaving
 * the store as it was. And the process environment CreateDaemonEnvironment gives a container of it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { exportFs } from '../../src/vfs/export.js';
import { layerTar } from '../helpers/archive.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-import-'));
  dirs.push(root);
  const engine = await Engine.open({ root });
  await engine.init();
  return { engine, root };
}

const rootfs = () =>
  layerTar([
    { name: 'bin/', type: 'directory' },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/greeting', content: 'hello\n' },
  ]);

const msg = async (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.message);

/** Everything under the store's root, by name and size: what a failed import must not change. */
function listing(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return [`${path.relative(base, p)}/`, ...listing(p, base)];
    return [`${path.relative(base, p)} ${fs.statSync(p).size}`];
  });
}

describe('docker import', () => {
  it('makes a one-layer image whose config is moby\'s: sorted keys, empty container config, the message in comment and history', async () => {
    const { engine } = await setup();
    const id = await engine.images.importImage(Readable.from([await rootfs()]), { src: '-', repo: 'imported', tag: '1' });
    const { record, configBytes, tags } = await engine.images.imageRecord('imported:1');
    expect(record.id).toBe(id);
    expect(tags).toEqual(['imported:1']);
    const cfg = JSON.parse(configBytes.toString()) as Record<string, unknown>;
    expect(Object.keys(cfg)).toEqual(['architecture', 'comment', 'config', 'container_config', 'created', 'docker_version', 'history', 'os', 'rootfs']);
    expect(cfg.comment).toBe('Imported from -');
    expect(cfg.history).toEqual([{ created: cfg.created, comment: 'Imported from -' }]);
    expect(cfg.config).toEqual(cfg.container_config);
    expect(Object.keys(cfg.config as object)).toEqual(['Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels']);
    expect((cfg.rootfs as { diff_ids: string[] }).diff_ids).toHaveLength(1);
  });

  it('applies --change instructions and a message; a gzip tar reads as the plain one', async () => {
    const { engine } = await setup();
    const tar = await rootfs();
    const plain = await engine.images.importImage(Readable.from([tar]), { src: '-', repo: 'a' });
    const gz = await engine.images.importImage(Readable.from([gzipSync(tar)]), { src: '-', repo: 'b', message: 'from c1', changes: ['CMD ["cat","/etc/greeting"]', 'ENV A=1', 'WORKDIR /data', 'ONBUILD RUN x', 'HEALTHCHECK --interval=5s CMD true'] });
    const a = (await engine.images.imageRecord(plain)).config;
    const b = (await engine.images.imageRecord(gz)).config as typeof a & { comment: string };
    expect(b.rootfs.diff_ids).toEqual(a.rootfs.diff_ids);
    expect(b.comment).toBe('from c1');
    expect(b.config).toMatchObject({ Env: ['A=1'], Cmd: ['cat', '/etc/greeting'], WorkingDir: '/data', OnBuild: ['RUN x'], Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 5e9 } });
  });

  it('refuses the instructions a commit does not accept in BuildFromConfig\'s words, before reading the tar', async () => {
    const { engine } = await setup();
    const never = new Readable({ read() {} }); // a body that never ends: the refusal must not wait for it
    expect(await msg(engine.images.importImage(never, { src: '-', changes: ['STOPSIGNAL 9'] }))).toBe('stopsignal is not a valid change command');
    expect(await msg(engine.images.importImage(never, { src: '-', changes: ['RUN echo'] }))).toBe('run is not a valid change command');
  });

  it('refuses what is not a tar, or what Docker\'s unpack refuses, and leaves the store as it was', async () => {
    const { engine, root } = await setup();
    await engine.images.importImage(Readable.from([await rootfs()]), { src: '-', repo: 'keep' });
    const before = listing(root);
    expect(await msg(engine.images.importImage(Readable.from([Buffer.from('not a tar')]), { src: '-', repo: 'junk' }))).toBe('Error processing tar file(exit status 1): unexpected EOF');
    const badLink = await layerTar([{ name: 'a', type: 'link', linkname: 'missing' }]);
    expect(await msg(engine.images.importImage(Readable.from([badLink]), { src: '-', repo: 'junk' }))).toMatch(/^Error processing tar file\(exit status 1\): link .*: no such file or directory$/);
    expect(listing(root).filter((l) => !l.startsWith('tmp/'))).toEqual(before.filter((l) => !l.startsWith('tmp/')));
    expect((await engine.images.list()).map((i) => i.tags)).toEqual([['keep:latest']]);
  });

  it('says why it cannot read bzip2, xz or zstd, and fetches no URL', async () => {
    const { engine } = await setup();
    expect(await msg(engine.images.importImage(Readable.from([Buffer.from('BZh91AY&SY')]), { src: '-' }))).toMatch(/decompress the bzip2 archive first/);
    expect(await msg(engine.images.importImage(Readable.from([]), { src: 'http://example.invalid/x.tar' }))).toMatch(/fetches nothing from outside the machine/);
  });

  it('gives a container of an exported-then-imported image (no Env) the default PATH first, as CreateDaemonEnvironment does', async () => {
    const { engine } = await setup();
    await engine.images.load(path.join(import.meta.dirname, '../fixtures/corpus/dk-build.dsave.tar'));
    const { id: src } = await engine.containers.create({ Image: 'dk-build', Cmd: ['true'] });
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (d: Buffer) => parts.push(d));
    await exportFs(await engine.runtime.rootfs(engine.containers.get(src)), sink);
    await engine.images.importImage(Readable.from([Buffer.concat(parts)]), { src: '-', repo: 'flat' });
    const { id } = await engine.containers.create({ Image: 'flat', Cmd: ['cat', '/proc/1/environ'], Env: ['FOO=1', 'HOSTNAME=x'] });
    const out: string[] = [];
    const l = engine.containers.listen(id, (_s, d) => out.push(Buffer.from(d).toString()));
    const done = engine.containers.wait(id, 'next-exit').done;
    await engine.containers.start(id);
    await done;
    l.stop();
    expect(out.join('')).toBe('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0HOSTNAME=x\0FOO=1\0HOME=/\0');
  });
});
