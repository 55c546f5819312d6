import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alpine, buildBundledImages, deep, webapp } from '../../images/specs.js';
import type { Digest } from '../../src/digest.js';
import {
  blobName,
  buildImage,
  buildLayer,
  dockerMembers,
  mutate,
  ociMembers,
  v1Layers,
  writeDockerArchive,
  writeOciArchive,
  type BuiltImage,
  type OciConfig,
} from '../../src/oci/build.js';
import { dockerd, dockerOk, imageInspect, load, save, uniqueRef } from '../oracle/docker.js';
import { describeWithTool, needRoot, needTool } from '../support/tools.js';

interface TarMember {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  linkname: string | null;
  data: Buffer;
}

async function members(data: Buffer): Promise<TarMember[]> {
  const out: TarMember[] = [];
  const ex = tar.extract();
  Readable.from([data]).pipe(ex as unknown as NodeJS.WritableStream);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    const h = e.header;
    out.push({
      name: h.name,
      type: h.type,
      mode: h.mode & 0o7777,
      uid: h.uid,
      gid: h.gid,
      uname: h.uname,
      gname: h.gname,
      mtime: h.mtime.getTime() / 1000,
      linkname: h.linkname ?? null,
      data: Buffer.concat(chunks),
    });
  }
  return out;
}

const run = promisify(execFile);
const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const digestOf = (b: Buffer | string): Digest => `sha256:${hex(b)}`;

let built: Awaited<ReturnType<typeof buildBundledImages>>;
beforeAll(async () => {
  built = await buildBundledImages();
});

describe('determinism', () => {
  it('gives identical bytes on a second build: layers, config, manifest and both archive formats', async () => {
    const again = await buildBundledImages();
    for (const k of ['alpine', 'webapp', 'deep'] as const) {
      const a = built[k];
      const b = again[k];
      expect(b.layers.map((l) => l.blob)).toEqual(a.layers.map((l) => l.blob));
      expect(b.config.equals(a.config)).toBe(true);
      expect(b.manifest.equals(a.manifest)).toBe(true);
      expect((await writeOciArchive([b])).equals(await writeOciArchive([a]))).toBe(true);
      expect((await writeDockerArchive([b])).equals(await writeDockerArchive([a]))).toBe(true);
    }
  });

  it('writes gzip with no mtime and no file name in the header', () => {
    for (const l of built.webapp.layers) {
      expect(l.compression).toBe('gzip');
      const b = l.blob;
      expect([b[0], b[1], b[2]]).toEqual([0x1f, 0x8b, 8]);
      expect(b[3]).toBe(0); // FLG: no FNAME, FEXTRA, FCOMMENT
      expect(b.readUInt32LE(4)).toBe(0); // MTIME
      expect(gunzipSync(b).equals(l.tar)).toBe(true);
    }
  });

  it('stamps every entry with the spec created time, owner 0:0 and empty uname/gname by default', async () => {
    const created = Date.parse(alpine.created) / 1000;
    for (const m of await members(built.alpine.layers[0]!.tar)) {
      expect(m.mtime).toBe(created);
      expect(m.uname).toBe('');
      expect(m.gname).toBe('');
      if (m.name !== 'etc/shadow') expect([m.uid, m.gid]).toEqual([0, 0]);
    }
  });
});

describe('digests', () => {
  it('shares the base layer blob between an image and one built FROM it', () => {
    const [base] = built.alpine.layers;
    const [shared] = built.webapp.layers;
    expect(shared!.digest).toBe(base!.digest);
    expect(shared!.blob.equals(base!.blob)).toBe(true);
    const baseManifest = JSON.parse(built.alpine.manifest.toString());
    const appManifest = JSON.parse(built.webapp.manifest.toString());
    expect(appManifest.layers[0]).toEqual(baseManifest.layers[0]);
    expect(built.webapp.chainIds[0]).toBe(built.alpine.chainIds[0]);
  });

  it('computes diffIDs over the uncompressed tar and layer digests over the blob', () => {
    for (const l of built.webapp.layers) {
      expect(l.diffId).toBe(digestOf(l.tar));
      expect(l.digest).toBe(digestOf(l.blob));
      expect(l.size).toBe(l.blob.length);
    }
  });

  it('computes chainIDs as the image-spec says: sha256 of "<parent chainID> <diffID>"', () => {
    const { diffIds, chainIds } = built.webapp;
    expect(chainIds[0]).toBe(diffIds[0]);
    for (let i = 1; i < diffIds.length; i++) expect(chainIds[i]).toBe(digestOf(`${chainIds[i - 1]} ${diffIds[i]}`));
  });

  it('changes every digest above a changed byte, and none below it', async () => {
    const changed = structuredClone(webapp);
    const step = changed.steps[5]!;
    if (!('ops' in step)) throw new Error('step 5 should be a layer');
    step.ops = [{ op: 'file', path: 'etc/webapp/config.json', content: '{ "listen": ":8081" }\n' }];
    const other = await buildImage(changed, built.alpine);
    const n = built.webapp.diffIds.length;
    const at = built.webapp.diffIds.findIndex((d, i) => d !== other.diffIds[i]);
    expect(at).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      expect(other.chainIds[i] === built.webapp.chainIds[i]).toBe(i < at);
    }
    expect(other.configDigest).not.toBe(built.webapp.configDigest);
  });
});

describe('config and manifest', () => {
  it('writes an OCI config with rootfs, history and empty_layer entries', () => {
    const c = JSON.parse(built.webapp.config.toString()) as OciConfig;
    expect(Object.keys(c)).toEqual(['created', 'architecture', 'os', 'config', 'rootfs', 'history']);
    expect(c.rootfs).toEqual({ type: 'layers', diff_ids: built.webapp.diffIds });
    expect(c.history.filter((h) => !h.empty_layer)).toHaveLength(c.rootfs.diff_ids.length);
    expect(c.history).toHaveLength(alpine.steps.length + webapp.steps.length);
    expect(c.history[1]).toEqual({ created: alpine.created, created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true });
    expect(c.config).toEqual({
      ExposedPorts: { '8080/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_VERSION=1.0', 'PORT=8080'],
      Cmd: ['/app/bin/webapp'],
      WorkingDir: '/app',
      Labels: { 'org.opencontainers.image.title': 'webapp', 'org.opencontainers.image.version': '1.0' },
    });
  });

  it('describes the config and every layer in the manifest by digest, size and media type', () => {
    const m = JSON.parse(built.webapp.manifest.toString());
    expect(m.schemaVersion).toBe(2);
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(m.config).toEqual({
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: digestOf(built.webapp.config),
      size: built.webapp.config.length,
    });
    expect(m.layers).toEqual(
      built.webapp.layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    );
  });

  it('stores a layer plain when asked', async () => {
    const l = await buildLayer({ ops: [{ op: 'file', path: 'a', content: 'x' }], compression: 'none' });
    expect(l.blob.equals(l.tar)).toBe(true);
    expect(l.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    expect(l.digest).toBe(l.diffId);
  });
});

describe('layer tars', () => {
  let layers: TarMember[][];
  beforeAll(async () => {
    layers = await Promise.all(built.webapp.layers.map((l) => members(l.tar)));
  });
  const find = (i: number, name: string) => layers[i]!.find((m) => m.name === name);

  it('puts every parent directory before its children', () => {
    for (const entries of layers) {
      const seen = new Set<string>();
      for (const m of entries) {
        const path = m.name.replace(/\/$/, '');
        const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
        if (parent) expect(seen.has(parent), `${m.name} before ${parent}/`).toBe(true);
        if (m.type === 'directory') seen.add(path);
      }
    }
  });

  it('keeps modes: /tmp 1777, /root 0700, setuid /bin/bbsuid 4111', () => {
    expect(find(0, 'tmp/')!.mode).toBe(0o1777);
    expect(find(0, 'root/')!.mode).toBe(0o700);
    expect(find(3, 'bin/bbsuid')!.mode).toBe(0o4111);
  });

  it('gives an added parent the attributes the lower layers have, not 0755 root', () => {
    // The COPY layer re-emits /app parents; the adduser layer's /home keeps 0755, /etc keeps its own.
    expect(find(1, 'etc/')).toMatchObject({ type: 'directory', mode: 0o755, uid: 0 });
    expect(find(2, 'app/node_modules/')).toMatchObject({ mode: 0o755, uid: 1000, gid: 1000 });
  });

  it('writes symlinks verbatim', () => {
    expect(find(0, 'bin/sh')).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
    expect(find(0, 'var/run')).toMatchObject({ type: 'symlink', linkname: '../run' });
  });

  it('writes a hardlink as tar type 1 to a file of the same layer', () => {
    expect(find(2, 'app/bin/serve')).toMatchObject({ type: 'link', linkname: 'app/bin/webapp', mode: 0o755 });
  });

  it('round-trips a path over 100 bytes and a non-ASCII name', () => {
    const names = layers[2]!.map((m) => m.name);
    expect(names).toContain(
      'app/node_modules/@boxlab/instrumentation-http-server-middleware/dist/esm/internal/handlers/request-lifecycle-hooks.js',
    );
    expect(names).toContain('app/docs/guide-français-日本語.md');
  });

  it('writes a whiteout as an empty regular file .wh.NAME', () => {
    for (const n of ['etc/.wh.motd', 'var/.wh.spool']) expect(find(5, n)).toMatchObject({ type: 'file', mode: 0, data: Buffer.alloc(0) });
  });

  it('writes an opaque marker right after its directory, before the new contents', () => {
    const names = layers[6]!.map((m) => m.name);
    const dir = names.indexOf('app/public/');
    expect(names[dir + 1]).toBe('app/public/.wh..wh..opq');
    expect(names.indexOf('app/public/index.html')).toBeGreaterThan(dir + 1);
  });

  it('passes raw entries through untouched, for bad-input cases', async () => {
    const l = await buildLayer({
      ops: [
        { op: 'raw', header: { name: '../escape', type: 'file' }, content: 'x' },
        { op: 'raw', header: { name: 'a/.wh.', type: 'file' } },
        { op: 'raw', header: { name: 'link', type: 'link', linkname: 'missing' } },
      ],
    });
    expect((await members(l.tar)).map((m) => m.name)).toEqual(['../escape', 'a/.wh.', 'link']);
  });

  it('refuses an op path outside the root', async () => {
    await expect(buildLayer({ ops: [{ op: 'file', path: '../x', content: '' }] })).rejects.toThrow(/below the root/);
  });
});

describe('OCI archive', () => {
  it('holds oci-layout, index.json with both name annotations, and every blob under its digest', async () => {
    const ms = await members(await writeOciArchive([built.alpine, built.webapp]));
    const names = ms.map((m) => m.name);
    expect(names.slice(0, 2)).toEqual(['blobs/', 'blobs/sha256/']);
    expect(names.slice(-2)).toEqual(['index.json', 'oci-layout']);
    const byName = new Map(ms.map((m) => [m.name, m]));
    expect(byName.get('oci-layout')!.data.toString()).toBe('{"imageLayoutVersion": "1.0.0"}');
    const index = JSON.parse(byName.get('index.json')!.data.toString());
    expect(index.manifests.map((d: { annotations: unknown }) => d.annotations)).toEqual([
      { 'io.containerd.image.name': 'docker.io/boxlab/alpine:3.20', 'org.opencontainers.image.ref.name': 'boxlab/alpine:3.20' },
      { 'io.containerd.image.name': 'docker.io/boxlab/webapp:1.0', 'org.opencontainers.image.ref.name': 'boxlab/webapp:1.0' },
    ]);
    const blobs = ms.filter((m) => m.name.startsWith('blobs/sha256/') && m.type === 'file');
    for (const b of blobs) expect(hex(b.data)).toBe(b.name.slice('blobs/sha256/'.length));
    // The shared base layer is stored once.
    expect(blobs).toHaveLength(built.webapp.layers.length + 2 * 2);
  });

  it('lets a test break the archive: a missing blob, a flipped byte, edited JSON', async () => {
    const cfg = blobName(built.webapp.configDigest);
    const layer = blobName(built.webapp.layers[1]!.digest);
    const missing = await members(await writeOciArchive([built.webapp], { mutateMembers: mutate.remove(layer) }));
    expect(missing.map((m) => m.name)).not.toContain(layer);
    const flipped = await members(await writeOciArchive([built.webapp], { mutateMembers: mutate.flipByte(cfg, -1) }));
    const f = flipped.find((m) => m.name === cfg)!;
    expect(f.data.length).toBe(built.webapp.config.length);
    expect(hex(f.data)).not.toBe(built.webapp.configDigest.slice(7));
    const edited = await members(
      await writeOciArchive([built.webapp], {
        mutateMembers: mutate.editJson('index.json', (j) => {
          j.manifests[0].size += 1;
        }),
      }),
    );
    expect(JSON.parse(edited.find((m) => m.name === 'index.json')!.data.toString()).manifests[0].size).toBe(built.webapp.manifest.length + 1);
    const bad = await writeOciArchive([built.webapp], { mutateMembers: mutate.replace('index.json', '{"schemaVersion": 2,') });
    expect((await members(bad)).find((m) => m.name === 'index.json')!.data.toString()).toBe('{"schemaVersion": 2,');
  });

  it('writes the file when given a path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'boxlab-build-'));
    try {
      const out = join(dir, 'a.oci.tar');
      const bytes = await writeOciArchive([built.alpine], { out });
      expect((await readFile(out)).equals(bytes)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('docker save archive', () => {
  it('lays out <v1 id>/{VERSION,json,layer.tar}, <image id>.json, manifest.json and repositories', async () => {
    const ms = await members(await writeDockerArchive([built.deep]));
    const byName = new Map(ms.map((m) => [m.name, m]));
    const manifest = JSON.parse(byName.get('manifest.json')!.data.toString());
    expect(manifest).toHaveLength(1);
    expect(manifest[0].Config).toBe(`${built.deep.configDigest.slice(7)}.json`);
    expect(manifest[0].RepoTags).toEqual(['boxlab/deep:latest']);
    expect(manifest[0].Layers).toHaveLength(deep.steps.filter((s) => 'ops' in s).length);
    manifest[0].Layers.forEach((p: string, i: number) => {
      expect(byName.get(p)!.data.equals(built.deep.layers[i]!.tar)).toBe(true);
      expect(byName.get(p.replace('layer.tar', 'VERSION'))!.data.toString()).toBe('1.0');
    });
    const top = manifest[0].Layers.at(-1).split('/')[0];
    expect(JSON.parse(byName.get('repositories')!.data.toString())).toEqual({ 'boxlab/deep': { latest: top } });
    expect(byName.get('manifest.json')!.mtime).toBe(0);
  });

  it('writes a repeated diffID as a symlink to the first layer.tar, as Engine 20.10 does', () => {
    const ms = dockerMembers([built.alpine, built.webapp]);
    const links = ms.filter((m) => m.type === 'symlink');
    // alpine's top v1 layer carries alpine's config; webapp's bottom one does not: two v1 IDs, one tar.
    expect(links).toHaveLength(1);
    expect(links[0]!.linkname).toMatch(/^\.\.\/[0-9a-f]{64}\/layer\.tar$/);
  });

  it('computes v1 layer IDs exactly as Docker 20.10 (checked against a real `docker save`)', () => {
    // diffIDs and v1 IDs of shared/corpus/dk-build.dsave.tar, written by Engine 20.10.24.
    const diffIds = [
      '1058bd707296e0bc8b86e09f99ce8d8a62821dc65bb5b9e8bec2ae285e2762dc',
      'be1a7c380f320b99a92a2793503dde441cc78adf96a87d3954031eae6758c0da',
      '0fa86553776921bb94220216113999a86a78e23c16f53007afe86f40d5ce57b3',
      '5a5095a6c34202c16b4a081855e9c13dcbb2e26f6ab3b913e4395540500372b3',
      '13a8e264e8419e90758e6f09a1dfde36a12e5aefd1b379278284e279eb9c3b7d',
      '4b9cfffde059c26ef7b87e43d34d8b96727b3f9de94649f173897565951c16e4',
    ].map((h) => `sha256:${h}` as Digest);
    const chain: Digest[] = [];
    for (const d of diffIds) chain.push(chain.length ? digestOf(`${chain.at(-1)} ${d}`) : d);
    // Below the top layer a v1 layer is a bare V1Image: the image config does not enter.
    const cfg = { os: 'linux' } as OciConfig;
    const ids = v1Layers(cfg, [...chain, chain.at(-1)!]).slice(0, -1).map((l) => l.id);
    expect(ids).toEqual([
      'b9169cd4cc79b1a7b140dc0a029ab2494ba580b01fe2f3e9317ade5da33a4a7d',
      'b13e4f20db25198f345e4525c61f9c7e0ebabb0a2474b5bd03d4a7d62c6b96cb',
      '5b49c71394f25188fa6c22581a5f81e5eae49715bb7ffa65f852cd4f856c664b',
      'dbf0bb25fd3a7178a6fad5cd16c6a2fcddebb6fdd1ac1fe129ab0c9367fe22dd',
      '218700c78b3469db00f7f1b3ec395eb37d607ef4c3ae635e8d1425a60070eedc',
      'a63c1b1a9e050099f7dd1bed70f0d841fd75524294ac817d78f7bdc2b7ff93bd',
    ]);
  });

  it('writes the Engine 25 form: an OCI layout of plain tars named by diffID, plus manifest.json', async () => {
    const ms = await members(await writeDockerArchive([built.alpine, built.webapp], { flavor: '25' }));
    const byName = new Map(ms.map((m) => [m.name, m]));
    expect(['index.json', 'manifest.json', 'oci-layout', 'repositories'].every((n) => byName.has(n))).toBe(true);
    const manifest = JSON.parse(byName.get('manifest.json')!.data.toString());
    expect(manifest[1].Config).toBe(blobName(built.webapp.configDigest));
    expect(manifest[1].Layers).toEqual(built.webapp.diffIds.map(blobName));
    for (const l of built.webapp.layers) expect(byName.get(blobName(l.diffId))!.data.equals(l.tar)).toBe(true);
    const index = JSON.parse(byName.get('index.json')!.data.toString());
    expect(index.manifests[1].annotations).toEqual({
      'io.containerd.image.name': 'docker.io/boxlab/webapp:1.0',
      'org.opencontainers.image.ref.name': '1.0',
    });
    const oci = JSON.parse(byName.get(`blobs/sha256/${index.manifests[1].digest.slice(7)}`)!.data.toString());
    expect(oci.layers.map((l: { digest: string; mediaType: string }) => [l.mediaType, l.digest])).toEqual(
      built.webapp.diffIds.map((d) => ['application/vnd.oci.image.layer.v1.tar', d]),
    );
  });

  it('writes the containerd-store form (Engine 29): manifest.json Layers name the compressed blobs', async () => {
    const ms = await members(await writeDockerArchive([built.webapp], { flavor: 'containerd' }));
    const byName = new Map(ms.map((m) => [m.name, m]));
    const manifest = JSON.parse(byName.get('manifest.json')!.data.toString());
    expect(manifest[0].Layers).toEqual(built.webapp.layers.map((l) => blobName(l.digest)));
    for (const l of built.webapp.layers) expect(byName.get(blobName(l.digest))!.data.equals(l.blob)).toBe(true);
    expect(byName.has('repositories')).toBe(false);
  });

  it('lists OCI members for the same images from the same blobs', () => {
    const names = ociMembers([built.deep]).map((m) => m.name);
    for (const l of built.deep.layers) expect(names).toContain(blobName(l.digest));
  });
});

describeWithTool(dockerd(), 'Docker 20.10 reads the docker save archive as the builder wrote it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxlab-build-dk-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads it as the same image, and its own `docker save` writes the same members', async () => {
    const ref = uniqueRef('build');
    const img: BuiltImage = await buildImage({ ...webapp, name: ref }, built.alpine);
    const ours = join(dir, 'ours.tar');
    await writeDockerArchive([img], { out: ours });
    const r = await load(ours);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Loaded image: ${ref}\n`);
    const inspect = await imageInspect(ref);
    expect(inspect.Id).toBe(img.configDigest);
    expect(inspect.RootFS.Layers).toEqual(img.diffIds);
    const theirs = join(dir, 'theirs.tar');
    const s = await save(ref, theirs);
    expect(s.code, s.stderr).toBe(0);
    const a = await members(await readFile(ours));
    const b = await members(await readFile(theirs));
    // Go's archive/tar spells the header fields differently (type bits in mode); what they say is equal.
    const view = (m: TarMember) => ({ name: m.name, type: m.type, mode: m.mode, mtime: m.mtime, linkname: m.linkname, sha: hex(m.data) });
    expect(a.map(view)).toEqual(b.map(view));
    await dockerOk(['rmi', ref]);
  });

  for (const flavor of ['25', 'containerd'] as const) {
    it(`loads the ${flavor} form as the same image`, async () => {
      const ref = uniqueRef(`build-${flavor}`);
      const img = await buildImage({ ...webapp, name: ref }, built.alpine);
      const out = join(dir, `${flavor}.tar`);
      await writeDockerArchive([img], { flavor, out });
      const r = await load(out);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`Loaded image: ${ref}\n`);
      const inspect = await imageInspect(ref);
      expect(inspect.Id).toBe(img.configDigest);
      expect(inspect.RootFS.Layers).toEqual(img.diffIds);
      await dockerOk(['rmi', ref]);
    });
  }
});

describeWithTool([needRoot(), needTool('umoci', 'apt-get install umoci'), needTool('skopeo', 'apt-get install skopeo')], 'skopeo and umoci read every archive form to the same rootfs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxlab-build-umoci-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function rootfs(transport: string, archive: string): Promise<string> {
    const layout = join(dir, `${transport}-${archive.split('/').at(-1)}.layout`);
    const bundle = `${layout}.bundle`;
    await run('skopeo', ['copy', '-q', `${transport}:${archive}`, `oci:${layout}:t`]);
    await run('umoci', ['unpack', '--image', `${layout}:t`, bundle]);
    const { stdout } = await run('sh', ['-c', 'cd "$1" && find . -printf "%y %#m %U:%G %p %s %l\\n" | sort', 'sh', join(bundle, 'rootfs')]);
    return stdout;
  }

  it('gives one rootfs for the OCI archive and the three docker save forms', async () => {
    const oci = join(dir, 'w.oci.tar');
    await writeOciArchive([built.webapp], { out: oci });
    const want = await rootfs('oci-archive', oci);
    expect(want).toContain('./bin/bbsuid');
    for (const flavor of ['20.10', '25', 'containerd'] as const) {
      const out = join(dir, `w-${flavor}.tar`);
      await writeDockerArchive([built.webapp], { flavor, out });
      expect(await rootfs('docker-archive', out), flavor).toBe(want);
    }
  });
});
