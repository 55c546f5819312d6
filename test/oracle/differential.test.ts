/**
 * Differential tests against the real Docker Engine (20.10, overlay2) in both directions:
 *
 * - Docker reads what boxlab writes: every corpus image, through `boxlab save --format docker`, is
 *   the same image for `docker load` (ID, RootFS.Layers, tags) and the same files in a container made
 *   from it. A daemon of this file's own, with an empty layer store, so that Docker reads every layer
 *   (it skips a layer it already holds, FACTS.md), and each image is removed before the next.
 * - boxlab reads what Docker writes: images the run's daemon builds (classic builder) and commits from
 *   scenarios of our own, on a busybox base made here (no registry), go through `docker save` and
 *   `boxlab load`, and `boxlab export` equals `docker export` of a created container, less the init layer.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { CORPUS, corpusArchives, DOCKER_REFUSES, dockerArchive, freshEngine, layerTar, readMembers, sha, tmpdir, writeTmp } from '../helpers/archive.js';
import { listingOfTar } from '../helpers/listing.js';
import { describeWithTool, needTool } from '../support/tools.js';
import { build, commit, create, dockerd, dockerOk, exportContainer, imageInspect, rm, rmi, save, start, uniqueRef, type ImageInspect } from './docker.js';
import { boxlabListing, busyboxRootfs, INIT_DIRS, INIT_FILES, ownDocker, withoutInitLayer, type OwnDocker } from './more.js';

const CLI = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const run = promisify(execFile);
/** `boxlab ARGS` through the CLI, as a user runs it. */
async function boxlab(root: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, '--root', root, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return stdout;
}

async function saveWithBoxlab(engine: Engine, ref: string, out: string): Promise<void> {
  const ws = fs.createWriteStream(out);
  await engine.images.save([ref], 'docker', ws);
  await new Promise((r) => ws.close(r));
}

/** The config digest an OCI archive's index points at, read from the archive itself. */
async function ociConfigDigest(archive: string): Promise<string> {
  const members = await readMembers(fs.readFileSync(archive));
  const blob = (d: string) => JSON.parse(members.find((m) => m.header.name === `blobs/sha256/${d.slice(7)}`)!.data.toString());
  const index = JSON.parse(members.find((m) => m.header.name === 'index.json')!.data.toString());
  return blob(index.manifests[0].digest).config.digest;
}

/** Every member name of every layer tar in a `docker save` archive. */
async function layerMemberNames(archive: string): Promise<{ name: string; type: string; linkname?: string }[]> {
  const out: { name: string; type: string; linkname?: string }[] = [];
  for (const m of await readMembers(fs.readFileSync(archive)))
    if (m.header.name.endsWith('/layer.tar'))
      for (const e of await readMembers(m.data)) out.push({ name: e.header.name, type: e.header.type ?? 'file', ...(e.header.linkname ? { linkname: e.header.linkname } : {}) });
  return out;
}

const INIT = [...INIT_FILES, ...INIT_DIRS].sort();

describeWithTool(dockerd(), 'Docker reads what boxlab writes (docker load of boxlab save --format docker)', () => {
  let own: OwnDocker;
  const work = tmpdir('boxlab-diff-');
  beforeAll(async () => {
    own = await ownDocker();
  });
  afterAll(async () => {
    await own?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const inspectIn = async (ref: string): Promise<ImageInspect> => JSON.parse((await own.docker(['image', 'inspect', ref])).stdout)[0];

  /** Docker's view of the image's files (a created container's export, less the init layer) against boxlab's export. */
  async function expectSameFiles(engine: Engine, id: string): Promise<void> {
    const c = (await own.docker(['create', '--pull', 'never', '--network', 'none', id, 'true'])).stdout.trim();
    const out = path.join(work, 'export.tar');
    expect((await own.docker(['export', '-o', out, c])).code).toBe(0);
    await own.docker(['rm', '-f', c]);
    const cmp = withoutInitLayer(await listingOfTar(fs.readFileSync(out)), await boxlabListing(engine, id));
    expect(cmp.docker).toEqual(cmp.boxlab);
  }

  for (const archive of corpusArchives()) {
    const refused = DOCKER_REFUSES[archive];
    if (refused) {
      it(`refuses ${archive} as Docker does, in Docker's words (its listing stays as umoci's answer)`, async () => {
        expect(await own.docker(['load', '-i', path.join(CORPUS, archive)])).toMatchObject({ code: 1, stderr: `Error processing tar file(exit status 1): ${refused}\n` });
        const { engine } = await freshEngine();
        const err = await engine.images.load(path.join(CORPUS, archive)).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'InvalidArchive' });
        expect((err as Error).message.endsWith(`: ${refused}`)).toBe(true);
      });
      continue;
    }
    it(`loads boxlab's save of ${archive} as the same image, with the same files`, async () => {
      const { engine } = await freshEngine();
      const { images } = await engine.images.load(path.join(CORPUS, archive));
      const [img] = images;
      const ours = await engine.images.inspect(img!.id);
      const tag = img!.tags[0]!;
      const saved = path.join(work, `${archive}.boxlab.tar`);
      await saveWithBoxlab(engine, tag, saved);

      const r = await own.docker(['load', '-i', saved]);
      expect(r).toMatchObject({ code: 0, stdout: `Loaded image: ${tag}\n`, stderr: '' });
      const theirs = await inspectIn(tag);
      expect(theirs.Id).toBe(ours.Id);
      expect(theirs.RootFS).toEqual(ours.RootFS);
      expect(theirs.RepoTags).toEqual(ours.RepoTags);
      // An OCI archive's config bytes pass through unchanged: its image ID is the digest the archive names
      if (archive.endsWith('.oci.tar')) expect(theirs.Id).toBe(await ociConfigDigest(path.join(CORPUS, archive)));
      await expectSameFiles(engine, img!.id);
      // so that the next archive's shared layers are read again, not found in the layer store
      expect((await own.docker(['rmi', tag])).code).toBe(0);
    });
  }

  it('takes the same image through the CLI: boxlab load, save --format docker, inspect; docker load, image inspect', async () => {
    const root = path.join(work, 'cli-store');
    const archive = path.join(CORPUS, 'whiteouts.oci.tar');
    expect(await boxlab(root, 'load', '-q', '-i', archive)).toBe('Loaded image: whiteouts:latest\n');
    const saved = path.join(work, 'cli.tar');
    await boxlab(root, 'save', '--format', 'docker', '-o', saved, 'whiteouts:latest');
    const ours = JSON.parse(await boxlab(root, 'inspect', 'whiteouts:latest'))[0];
    expect((await own.docker(['load', '-i', saved])).stdout).toBe('Loaded image: whiteouts:latest\n');
    const theirs = await inspectIn('whiteouts:latest');
    expect([theirs.Id, theirs.RootFS.Layers]).toEqual([ours.Id, ours.RootFS.Layers]);
    expect(theirs.Id).toBe(await ociConfigDigest(archive));
    await own.docker(['rmi', 'whiteouts:latest']);
  });

  /** Hand-made layers at the edges of the path rules, through boxlab save into Docker: the same files. */
  const EDGES: [string, Parameters<typeof layerTar>[0][]][] = [
    ['names that climb out of the root (../../x) or are absolute (/x)', [[{ name: '../../escape', content: 'e' }, { name: '/abs/file', content: 'a' }]]],
    ['a hardlink whose target climbs out of the root', [[{ name: 'f', content: 'f' }, { name: 'g', type: 'link', linkname: '../../f' }]]],
    ['parent directories the layer does not list', [[{ name: 'a/b/c/file', content: 'deep' }], [{ name: 'a/b/other', content: 'o' }]]],
    ['a file replacing a lower directory, a directory replacing a lower symlink', [
      [{ name: 'd', type: 'directory' }, { name: 'd/in', content: 'i' }, { name: 's', type: 'symlink', linkname: 'd' }],
      [{ name: 'd', content: 'now a file' }, { name: 's', type: 'directory', mode: 0o700 }],
    ]],
  ];
  for (const [what, layers] of EDGES) {
    it(`sees the same files as boxlab in ${what}`, async () => {
      const { engine } = await freshEngine();
      const tag = `edge-${EDGES.findIndex(([w]) => w === what)}:latest`;
      const { images } = await engine.images.load(writeTmp(await dockerArchive(await Promise.all(layers.map((l) => layerTar(l))), tag)));
      const saved = path.join(work, 'edge.tar');
      await saveWithBoxlab(engine, tag, saved);
      expect((await own.docker(['load', '-i', saved])).stdout).toBe(`Loaded image: ${tag}\n`);
      await expectSameFiles(engine, images[0]!.id);
      await own.docker(['rmi', tag]);
    });
  }

  it('agrees where a layer writes beneath a lower symlink: a real directory hides the symlink', async () => {
    // Docker's overlay2 unpacks each layer into an empty directory, making `up/` a directory that
    // hides the lower symlink; boxlab's mount is built the same way (oracles.md: Docker decides).
    const layers = [await layerTar([{ name: 'up', type: 'symlink', linkname: '../../..' }]), await layerTar([{ name: 'up/tmp/evil', content: 'x' }])];
    const { engine } = await freshEngine();
    const { images } = await engine.images.load(writeTmp(await dockerArchive(layers, 'symlink-parent:latest')));
    const saved = path.join(work, 'symlink-parent.tar');
    await saveWithBoxlab(engine, 'symlink-parent:latest', saved);
    expect((await own.docker(['load', '-i', saved])).code).toBe(0);
    const c = (await own.docker(['create', '--pull', 'never', '--network', 'none', 'symlink-parent:latest', 'true'])).stdout.trim();
    const out = path.join(work, 'export.tar');
    await own.docker(['export', '-o', out, c]);
    await own.docker(['rm', '-f', c]);
    const cmp = withoutInitLayer(await listingOfTar(fs.readFileSync(out)), await boxlabListing(engine, images[0]!.id));
    const evil = `f 0644 0:0 /up/tmp/evil ${sha('x').slice(7, 23)} 1`;
    expect(cmp.docker).toEqual(['d 0755 0:0 /up', 'd 0755 0:0 /up/tmp', evil]);
    expect(cmp.boxlab).toEqual(cmp.docker);
    await own.docker(['rmi', 'symlink-parent:latest']);
  });

  it('refuses a layer with duplicate entries in boxlab’s save as in the original, while boxlab keeps the last entry', async () => {
    const layer = await layerTar([
      { name: 'dup', type: 'directory' },
      { name: 'dup/f', content: 'first\n' },
      { name: 'dup/f', content: 'second\n', mode: 0o600 },
    ]);
    const original = path.join(work, 'dup.tar');
    fs.writeFileSync(original, await dockerArchive([layer], 'dup-entries:latest'));
    const refusal = 'Error processing tar file(duplicates of file paths not supported): \n';
    expect(await own.docker(['load', '-i', original])).toMatchObject({ code: 1, stderr: refusal });

    // boxlab's own choice (oracles.md): the last entry wins, as umoci does
    const { engine } = await freshEngine();
    const { images } = await engine.images.load(original);
    expect((await boxlabListing(engine, images[0]!.id)).filter((l) => l.startsWith('f '))).toEqual([`f 0600 0:0 /dup/f ${sha('second\n').slice(7, 23)} 7`]);

    // boxlab save keeps the layer's bytes, so Docker refuses boxlab's archive with the same message
    const saved = path.join(work, 'dup.boxlab.tar');
    await saveWithBoxlab(engine, 'dup-entries:latest', saved);
    expect((await engine.images.inspect('dup-entries:latest')).RootFS).toEqual({ Type: 'layers', Layers: [sha(layer)] });
    expect(await own.docker(['load', '-i', saved])).toMatchObject({ code: 1, stderr: refusal });
  });
});

describeWithTool([dockerd(), needTool('busybox', 'apt-get install busybox-static')], 'boxlab reads what Docker writes (boxlab load of docker save)', () => {
  let engine: Engine;
  let base: string;
  const work = tmpdir('boxlab-diff-');
  const made: string[] = [];
  beforeAll(async () => {
    ({ engine } = await freshEngine());
    base = uniqueRef('busybox');
    const rootfs = path.join(work, 'busybox-rootfs.tar');
    fs.writeFileSync(rootfs, await busyboxRootfs(fs.realpathSync(which('busybox'))));
    await dockerOk(['import', rootfs, base]);
    made.push(base);
  });
  afterAll(async () => {
    await rmi(made.reverse(), { force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** `docker build` of a Dockerfile (`FROM base` is `FROM BASE`) with optional context files. */
  async function dockerBuild(name: string, dockerfile: string, files: Record<string, string> = {}): Promise<string> {
    const ctx = fs.mkdtempSync(path.join(work, `${name}-`));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile.replaceAll('BASE', base));
    for (const [f, content] of Object.entries(files)) fs.writeFileSync(path.join(ctx, f), content);
    const ref = uniqueRef(name);
    const r = await build(ctx, ref);
    expect(r.code, r.stderr).toBe(0);
    made.push(ref);
    return ref;
  }

  /**
   * `docker save` → `boxlab load`: the same image ID; then `boxlab export` against `docker export`
   * of a created container, less the init layer. Returns boxlab's listing and the saved layers' members.
   */
  async function expectSameAsDocker(ref: string): Promise<{ lines: string[]; members: Awaited<ReturnType<typeof layerMemberNames>> }> {
    const saved = path.join(work, 'saved.tar');
    expect((await save(ref, saved)).code).toBe(0);
    const { images } = await engine.images.load(saved);
    const theirs = await imageInspect(ref);
    expect(images.map((i) => i.id)).toEqual([theirs.Id]);
    expect((await engine.images.inspect(ref)).RootFS).toEqual(theirs.RootFS);

    const c = await create(ref, ['true']);
    const out = path.join(work, 'export.tar');
    expect((await exportContainer(c, out)).code).toBe(0);
    await rm(c);
    const lines = await boxlabListing(engine, ref);
    const cmp = withoutInitLayer(await listingOfTar(fs.readFileSync(out)), lines);
    expect(cmp.docker).toEqual(cmp.boxlab);
    // what was left out is the init layer and nothing else (/etc, /dev, ... only where the image lacks them)
    expect(cmp.initSeen).toEqual(INIT.filter((p) => INIT_FILES.includes(p) || !lines.some((l) => l.split(' ')[3] === p)));
    return { lines, members: await layerMemberNames(saved) };
  }

  const has = (lines: string[], p: string) => lines.some((l) => l.split(' ')[3] === p);
  const line = (lines: string[], p: string) => lines.find((l) => l.split(' ')[3] === p);
  const linkGroup = (lines: string[], p: string) => / link=(\S+)$/.exec(line(lines, p) ?? '')?.[1];

  it('the imported busybox base', async () => {
    const { lines } = await expectSameAsDocker(base);
    expect(line(lines, '/bin/sh')).toBe('l 0777 0:0 /bin/sh busybox');
  });

  it('whiteouts: a lower file and a lower directory deleted', async () => {
    const ref = await dockerBuild(
      'whiteouts',
      `FROM BASE
RUN mkdir -p /lower/dir/sub && echo a > /lower/file && echo b > /lower/dir/sub/x && echo keep > /lower/keep
RUN rm /lower/file /base/motd && rm -rf /lower/dir
`,
    );
    const { lines, members } = await expectSameAsDocker(ref);
    expect(members.map((m) => m.name)).toEqual(expect.arrayContaining(['lower/.wh.file', 'lower/.wh.dir', 'base/.wh.motd']));
    for (const gone of ['/lower/file', '/lower/dir', '/base/motd']) expect(has(lines, gone)).toBe(false);
    expect(has(lines, '/lower/keep')).toBe(true);
  });

  it('opaque directory: a lower directory removed and made again with new content in one RUN', async () => {
    const ref = await dockerBuild(
      'opaque',
      `FROM BASE
RUN mkdir -p /opq/old/deeper && echo c > /opq/old/y && echo d > /opq/z && echo e > /opq/old/deeper/w
RUN rm -rf /opq && mkdir -p /opq/new && echo fresh > /opq/new/y && echo again > /opq/z
`,
    );
    const { lines, members } = await expectSameAsDocker(ref);
    expect(members.map((m) => m.name)).toContain('opq/.wh..wh..opq');
    expect(lines.filter((l) => l.includes(' /opq/')).map((l) => l.split(' ')[3])).toEqual(['/opq/new', '/opq/new/y', '/opq/z']);
  });

  it('hardlinks to lower files', async () => {
    const ref = await dockerBuild(
      'hardlinks',
      `FROM BASE
RUN mkdir /h && echo shared > /h/orig && echo other > /h/two
RUN ln /h/orig /h/link1 && ln /h/orig /linked-at-root && ln /base/motd /h/motd-link
`,
    );
    const { lines, members } = await expectSameAsDocker(ref);
    expect(members.filter((m) => m.type === 'link').length).toBeGreaterThanOrEqual(3);
    // one inode under three names, and one under two: the listing names each group by its first path
    expect(['/h/orig', '/h/link1', '/linked-at-root'].map((p) => linkGroup(lines, p))).toEqual(Array(3).fill('/linked-at-root'));
    expect(['/base/motd', '/h/motd-link'].map((p) => linkGroup(lines, p))).toEqual(['/base/motd', '/base/motd']);
  });

  it('chmod and chown of lower files and a lower directory', async () => {
    const ref = await dockerBuild(
      'chmod',
      `FROM BASE
RUN echo x > /mode && chmod 644 /mode && mkdir /mdir && echo y > /mdir/in
RUN chmod 4755 /mode && chmod 700 /mdir && chown 1000:1000 /base/motd && chmod 1777 /base
`,
    );
    const { lines } = await expectSameAsDocker(ref);
    expect(line(lines, '/mode')).toMatch(/^f 4755 0:0 \/mode /);
    expect(line(lines, '/mdir')).toBe('d 0700 0:0 /mdir');
    expect(line(lines, '/base/motd')).toMatch(/^f 0644 1000:1000 /);
    expect(line(lines, '/base')).toBe('d 1777 0:0 /base');
  });

  it('non-ASCII names, made by RUN and by COPY', async () => {
    const ref = await dockerBuild(
      'unicode',
      `FROM BASE
RUN mkdir /ünï && echo é > /ünï/cødé && echo 日本 > /日本語.txt && ln -s /ünï/cødé /ünï/lïnk
COPY grüße.txt /ünï/
RUN rm /ünï/cødé
`,
      { 'grüße.txt': 'Grüße\n' },
    );
    const { lines } = await expectSameAsDocker(ref);
    expect(has(lines, '/ünï/grüße.txt')).toBe(true);
    expect(has(lines, '/ünï/cødé')).toBe(false);
    expect(line(lines, '/ünï/lïnk')).toBe('l 0777 0:0 /ünï/lïnk /ünï/cødé');
    expect(has(lines, '/日本語.txt')).toBe(true);
  });

  it('a multi-stage build (COPY --from)', async () => {
    const ref = await dockerBuild(
      'multistage',
      `FROM BASE AS builder
RUN mkdir /out && echo artifact > /out/app && chmod 750 /out/app && ln -s app /out/app-link && echo dropped > /dropped
FROM BASE
COPY --from=builder /out /opt/app
RUN rm /base/motd
`,
    );
    const { lines } = await expectSameAsDocker(ref);
    expect(line(lines, '/opt/app/app')).toMatch(/^f 0750 0:0 \/opt\/app\/app /);
    expect(line(lines, '/opt/app/app-link')).toBe('l 0777 0:0 /opt/app/app-link app');
    expect(has(lines, '/dropped')).toBe(false);
  });

  it('docker commit of a container whose command changed files', async () => {
    const c = await create(base, [
      'sh',
      '-c',
      'echo new > /base/motd2 && rm /base/motd && mkdir -p /data/x && echo y > /data/x/y && chmod 600 /data/x/y && rm -rf /tmp && mkdir /tmp && ln /data/x/y /data/y-too && ln -s ../data /base/data',
    ]);
    expect((await start(c)).code).toBe(0);
    const ref = uniqueRef('committed');
    const r = await commit(c, ref, { changes: ['CMD ["sh"]'] });
    expect(r.code, r.stderr).toBe(0);
    made.push(ref);
    await rm(c);
    const { lines, members } = await expectSameAsDocker(ref);
    expect(members.map((m) => m.name)).toEqual(expect.arrayContaining(['base/.wh.motd', 'tmp/.wh..wh..opq']));
    expect(line(lines, '/data/x/y')).toMatch(/^f 0600 0:0 /);
    expect([linkGroup(lines, '/data/x/y'), linkGroup(lines, '/data/y-too')]).toEqual(['/data/y-too', '/data/y-too']);
    expect(line(lines, '/tmp')).toBe('d 0755 0:0 /tmp');
  });
});

function which(cmd: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, cmd);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${cmd} not on PATH`);
}
