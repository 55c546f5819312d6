/**
 * Every bad archive is given to `docker load` (Engine 20.10, the run's private daemon) and to
 * `boxlab load`: boxlab refuses what Docker refuses, with Docker's words where Docker has meaningful
 * ones, and leaves its store byte for byte as it was. The differences oracles.md declares (OCI
 * archives, duplicate entries) are asserted as differences. The run's side-by-side table is
 * test/oracle/MESSAGES.md: `BOXLAB_WRITE_MESSAGES=1 npx vitest run test/oracle/bad-input.test.ts`
 * rewrites it; otherwise the test checks that it still says what the two loaders say.
 *
 * Docker does not re-read a layer it already holds (FACTS.md), so every case's layers carry the
 * case's own name: no other test loads them, and the table's digests are the same on every run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { BoxlabError, type ErrorCode } from '../../src/errors.js';
import { CORPUS, dockerArchive, freshEngine, layerTar, sha, snapshotTree, tmpdir, withoutEndMarker, writeMembers, writeTmp, type Member } from '../helpers/archive.js';
import { listingOfTar } from '../helpers/listing.js';
import { describeWithTool } from '../support/tools.js';
import { docker, dockerd } from './docker.js';
import { boxlabListing, normalizeDocker, withoutInitLayer } from './more.js';
import { loadLines } from '../../src/docker-words.js';

const MESSAGES = path.join(import.meta.dirname, 'MESSAGES.md');

/** A layer only this case has. */
const own = (id: string, extra: Parameters<typeof layerTar>[0] = []) =>
  layerTar([{ name: `bad-input`, type: 'directory' }, { name: `bad-input/${id}`, content: `${id}\n` }, ...extra]);

const JUNK = Buffer.from('junk after the end of the archive, which no tar reader should take for a header\n'.repeat(20));

/** A docker save archive of one gzip'd layer (the diffID is the uncompressed tar's) and `tail` after the gzip member. */
async function gzipLayerArchive(tar: Buffer, tail: Buffer, tag: string): Promise<Buffer> {
  return dockerArchive([Buffer.concat([gzipSync(tar), tail])], tag, { rootfs: { type: 'layers', diff_ids: [sha(tar)] } });
}

/** Docker's view of an image's files: a created container's export, as listing lines (init layer included). */
async function dockerFiles(ref: string): Promise<string[]> {
  const c = (await docker(['create', '--pull', 'never', '--network', 'none', ref, 'true'])).stdout.trim();
  const dir = tmpdir('boxlab-bad-');
  try {
    const out = path.join(dir, 'export.tar');
    expect((await docker(['export', '-o', out, c])).code).toBe(0);
    return await listingOfTar(fs.readFileSync(out));
  } finally {
    await docker(['rm', '-f', c]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An OCI image layout in a tar: `edit` may change the manifest before it is written. */
async function ociArchive(layers: Buffer[], tag: string, edit: (m: { layers: { digest: string; size: number }[] }) => void = () => {}, drop?: (digest: string, i: number) => boolean): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l)) } }));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(l), size: l.length })),
  };
  const blobs = [config, ...layers];
  edit(manifest);
  const mbytes = Buffer.from(JSON.stringify(manifest));
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: manifest.mediaType, digest: sha(mbytes), size: mbytes.length, annotations: { 'io.containerd.image.name': `docker.io/library/${tag}`, 'org.opencontainers.image.ref.name': tag.split(':')[1] } }],
  };
  const members: Member[] = [
    { header: { name: 'oci-layout' }, data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { header: { name: 'index.json' }, data: Buffer.from(JSON.stringify(index)) },
    { header: { name: 'blobs/', type: 'directory' }, data: Buffer.alloc(0) },
    { header: { name: 'blobs/sha256/', type: 'directory' }, data: Buffer.alloc(0) },
    { header: { name: `blobs/sha256/${sha(mbytes).slice(7)}` }, data: mbytes },
    ...blobs.filter((b, i) => !drop?.(sha(b), i - 1)).map((b) => ({ header: { name: `blobs/sha256/${sha(b).slice(7)}` }, data: b })),
  ];
  return writeMembers(members);
}

/** A docker save archive in Docker 25's form: every member under blobs/sha256/, named by its digest unless `name` says otherwise. */
async function blobsDockerArchive(layer: Buffer, tag: string, name = (b: Buffer) => sha(b).slice(7)): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  const cfg = `blobs/sha256/${sha(config).slice(7)}`;
  const lay = `blobs/sha256/${name(layer)}`;
  return writeMembers([
    { header: { name: cfg }, data: config },
    { header: { name: lay }, data: layer },
    { header: { name: 'manifest.json' }, data: Buffer.from(JSON.stringify([{ Config: cfg, RepoTags: [tag], Layers: [lay] }])) },
  ]);
}

async function withMember(archive: Buffer, name: string | RegExp, f: (m: Member) => Member | null): Promise<Buffer> {
  const { readMembers } = await import('../helpers/archive.js');
  const out: Member[] = [];
  for (const m of await readMembers(archive)) {
    const hit = typeof name === 'string' ? m.header.name === name : name.test(m.header.name);
    const r = hit ? f(m) : m;
    if (r) out.push(r);
  }
  return writeMembers(out);
}

const flipLast = (m: Member): Member => {
  const data = Buffer.from(m.data);
  const i = data.indexOf('\n', 512); // the case's file content ends in a newline: flip the byte before it
  data[i - 1]! ^= 0x20;
  return { ...m, data };
};

type Expect =
  /** Both refuse; boxlab's message contains `words` (Docker's, where it has meaningful ones). */
  | { both: 'refuse'; code: ErrorCode; boxlab: RegExp; docker: RegExp; words?: string }
  /** A declared or found difference: Docker refuses, boxlab loads (or the other way round). */
  | { difference: string; docker: RegExp | 'loads'; boxlab: RegExp | 'loads'; code?: ErrorCode; check?: (engine: Engine, ids: string[]) => Promise<void> }
  /** Both accept; with `sameFiles`, Docker's view of the image (a created container's export) is boxlab's export. */
  | { both: 'load'; docker: RegExp; boxlab: RegExp; sameFiles?: boolean };

interface Case {
  name: string;
  archive: () => Promise<Buffer>;
  expect: Expect;
}

const CASES: Case[] = [
  {
    name: 'not a tar',
    archive: async () => Buffer.from('this is not an image archive\n'.repeat(40)),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /invalid tar header$/, boxlab: /^invalid archive: invalid tar header$/, words: 'invalid tar header' },
  },
  {
    name: 'an empty file (0 bytes)',
    archive: async () => Buffer.alloc(0),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /repositories: no such file or directory$/, boxlab: /^invalid archive: / },
  },
  {
    name: 'truncated archive (cut inside a layer)',
    archive: async () => {
      const a = await dockerArchive([await own('truncated', [{ name: 'bad-input/big', content: 'x'.repeat(64 * 1024) }])], 'bad-truncated:latest');
      return a.subarray(0, a.length >> 1);
    },
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /unexpected EOF$/, boxlab: /unexpected EOF/, words: 'unexpected EOF' },
  },
  {
    name: '`manifest.json` is `[]`',
    archive: async () => withMember(await dockerArchive([await own('empty-manifest')], 'bad-empty-manifest:latest'), 'manifest.json', (m) => ({ ...m, data: Buffer.from('[]') })),
    expect: { both: 'load', docker: /^$/, boxlab: /^$/ },
  },
  {
    name: 'invalid JSON in `manifest.json`',
    archive: async () =>
      withMember(await dockerArchive([await own('bad-json')], 'bad-json:latest'), 'manifest.json', (m) => ({ ...m, data: Buffer.from('[{"Config": "x.json",') })),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /^unexpected EOF$/, boxlab: /^manifest\.json: invalid JSON/ },
  },
  {
    name: 'the config named by `manifest.json` is missing',
    archive: async () => withMember(await dockerArchive([await own('no-config')], 'bad-no-config:latest'), /^[a-f0-9]{64}\.json$/, () => null),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /[a-f0-9]{64}\.json: no such file or directory$/, boxlab: /^open [a-f0-9]{64}\.json: no such file or directory/, words: '.json: no such file or directory' },
  },
  {
    name: 'a layer file named by `manifest.json` is missing',
    archive: async () => withMember(await dockerArchive([await own('no-layer')], 'bad-no-layer:latest'), 'l0/layer.tar', () => null),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /\/l0\/layer\.tar: no such file or directory$/, boxlab: /^open l0\/layer\.tar: no such file or directory/, words: 'l0/layer.tar: no such file or directory' },
  },
  {
    name: 'a layer whose bytes do not hash to its diffID',
    archive: async () => withMember(await dockerArchive([await own('diffid')], 'bad-diffid:latest'), 'l0/layer.tar', flipLast),
    expect: { both: 'refuse', code: 'DigestMismatch', docker: /^invalid diffID for layer 0: expected "sha256:[a-f0-9]{64}", got "sha256:[a-f0-9]{64}"$/, boxlab: /^l0\/layer\.tar: invalid diffID for layer 0/, words: 'DOCKER' },
  },
  {
    name: 'config `diff_ids` and manifest `Layers` differ in number',
    archive: async () => dockerArchive([await own('count')], 'bad-count:latest', { rootfs: { type: 'layers', diff_ids: [] } }),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /^invalid manifest, layers length mismatch: expected 1, got 0$/, boxlab: /layers length mismatch/, words: 'DOCKER' },
  },
  {
    name: 'a layer that is not a tar',
    archive: async () => dockerArchive([Buffer.from('bad-input/not-a-tar: these bytes are no tar\n'.repeat(30))], 'bad-layer-not-tar:latest'),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /invalid tar header$/, boxlab: /^l0\/layer\.tar: layer 0 is not a tar archive: invalid tar header$/, words: 'invalid tar header' },
  },
  {
    name: 'Docker 25 form: a layer blob whose bytes were changed',
    archive: async () => withMember(await blobsDockerArchive(await own('blob-changed'), 'bad-blob-changed:latest'), /^blobs\/sha256\/[a-f0-9]{64}$/, (m) => (m.data.length > 1024 ? flipLast(m) : m)),
    expect: { both: 'refuse', code: 'DigestMismatch', docker: /^invalid diffID for layer 0: expected/, boxlab: /invalid diffID for layer 0/, words: 'DOCKER' },
  },
  {
    name: 'Docker 25 form: a layer stored under a digest its bytes do not have (bytes match the diffID)',
    archive: async () => blobsDockerArchive(await own('blob-misnamed'), 'bad-blob-misnamed:latest', () => 'e'.repeat(64)),
    expect: {
      difference: 'boxlab is stricter: a member under blobs/sha256/ must hash to its name; Docker 20.10 checks only the diffID',
      docker: 'loads',
      boxlab: /^blobs\/sha256\/e{64}: content digest sha256:[a-f0-9]{64} does not match its name$/,
      code: 'DigestMismatch',
    },
  },
  {
    name: 'OCI archive: a blob whose digest is wrong',
    archive: async () => withMember(await ociArchive([await own('oci-digest')], 'bad-oci-digest:latest'), /^blobs\/sha256\//, (m) => (m.data.length > 1024 ? flipLast(m) : m)),
    expect: { both: 'refuse', code: 'DigestMismatch', docker: /blobs\/json: no such file or directory$/, boxlab: /^blobs\/sha256\/[a-f0-9]{64}: content digest sha256:[a-f0-9]{64} does not match sha256:/ },
  },
  {
    name: 'OCI archive: a blob whose size differs from its descriptor',
    archive: async () => ociArchive([await own('oci-size')], 'bad-oci-size:latest', (m) => void (m.layers[0]!.size += 1)),
    expect: { both: 'refuse', code: 'DigestMismatch', docker: /blobs\/json: no such file or directory$/, boxlab: /size \d+ does not match descriptor size \d+$/ },
  },
  {
    name: 'OCI archive: a layer blob is missing',
    archive: async () => ociArchive([await own('oci-missing')], 'bad-oci-missing:latest', undefined, (_d, i) => i === 0),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /blobs\/json: no such file or directory$/, boxlab: /^blobs\/sha256\/[a-f0-9]{64}: missing blob for layer 0/ },
  },
  {
    name: 'a hardlink to a missing target',
    archive: async () => dockerArchive([await own('hardlink', [{ name: 'bad-input/h', type: 'link', linkname: 'bad-input/nothere' }])], 'bad-hardlink:latest'),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /link \/bad-input\/nothere \/bad-input\/h: no such file or directory$/, boxlab: /^l0\/layer\.tar: link \/bad-input\/nothere \/bad-input\/h: no such file or directory/, words: 'link /bad-input/nothere /bad-input/h: no such file or directory' },
  },
  {
    name: 'a bare `.wh.` whiteout',
    archive: async () => dockerArchive([await own('bare-wh', [{ name: 'bad-input/.wh.', content: '' }])], 'bad-bare-wh:latest'),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /failed to mknod/, boxlab: /invalid whiteout entry "bad-input\/\.wh\."/ },
  },
  {
    name: 'a whiteout under a directory that the same layer turns into a file',
    archive: async () =>
      dockerArchive(
        [
          await own('dir-to-file-lower', [{ name: 'bad-input/d', type: 'directory' }, { name: 'bad-input/d/child', content: 'c\n' }]),
          await own('dir-to-file', [{ name: 'bad-input/d', content: 'now a file\n' }, { name: 'bad-input/d/.wh.child', content: '' }]),
        ],
        'bad-dir-to-file:latest',
      ),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /failed to mknod\("\/bad-input\/d\/child", S_IFCHR, 0\): not a directory$/, boxlab: /^l1\/layer\.tar: failed to mknod\("\/bad-input\/d\/child", S_IFCHR, 0\): not a directory$/, words: 'failed to mknod("/bad-input/d/child", S_IFCHR, 0): not a directory' },
  },
  {
    name: 'a layer with junk after its end-of-archive marker',
    archive: async () => dockerArchive([Buffer.concat([await own('junk-after-end'), JUNK])], 'bad-junk-after-end:latest'),
    expect: { both: 'load', docker: /^Loaded image: bad-junk-after-end:latest$/, boxlab: /^Loaded image: bad-junk-after-end:latest$/, sameFiles: true },
  },
  {
    name: 'a layer that is two tars end to end (the second is not read)',
    archive: async () =>
      dockerArchive([Buffer.concat([await own('two-tars'), await layerTar([{ name: 'bad-input/second-tar', content: 'not applied\n' }])])], 'bad-two-tars:latest'),
    expect: { both: 'load', docker: /^Loaded image: bad-two-tars:latest$/, boxlab: /^Loaded image: bad-two-tars:latest$/, sameFiles: true },
  },
  {
    name: 'a layer with one zero block, then a header',
    archive: async () =>
      dockerArchive([Buffer.concat([withoutEndMarker(await own('one-zero-block')), Buffer.alloc(512), await layerTar([{ name: 'bad-input/after-zero', content: 'z\n' }])])], 'bad-one-zero-block:latest'),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /archive\/tar: invalid tar header$/, boxlab: /^l0\/layer\.tar: layer 0 is not a readable layer: invalid tar header$/, words: 'invalid tar header' },
  },
  {
    name: 'an empty file (0 bytes) as a layer',
    archive: async () => dockerArchive([await own('empty-layer-base'), Buffer.alloc(0)], 'bad-empty-layer:latest'),
    expect: { both: 'load', docker: /^Loaded image: bad-empty-layer:latest$/, boxlab: /^Loaded image: bad-empty-layer:latest$/, sameFiles: true },
  },
  {
    name: 'a gzip layer with NULs after its member',
    archive: async () => gzipLayerArchive(await own('gzip-nuls'), Buffer.alloc(1024), 'bad-gzip-nuls:latest'),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /gzip: invalid header\): ?$/, boxlab: /^l0\/layer\.tar: layer 0 is not a readable layer: gzip: invalid header$/, words: 'gzip: invalid header' },
  },
  {
    name: 'a gzip layer with junk after its member',
    archive: async () => gzipLayerArchive(await own('gzip-junk'), JUNK, 'bad-gzip-junk:latest'),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /gzip: invalid header\): ?$/, boxlab: /^l0\/layer\.tar: layer 0 is not a readable layer: gzip: invalid header$/, words: 'gzip: invalid header' },
  },
  {
    name: 'an archive with junk after its end-of-archive marker',
    archive: async () => Buffer.concat([await dockerArchive([await own('archive-junk')], 'bad-archive-junk:latest'), JUNK]),
    expect: { both: 'load', docker: /^Loaded image: bad-archive-junk:latest$/, boxlab: /^Loaded image: bad-archive-junk:latest$/, sameFiles: true },
  },
  {
    name: 'a gzip archive with junk after its member',
    archive: async () => Buffer.concat([gzipSync(await dockerArchive([await own('archive-gzip-junk')], 'bad-archive-gzip-junk:latest')), JUNK]),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /gzip: invalid header\): ?$/, boxlab: /^invalid archive: gzip: invalid header$/, words: 'gzip: invalid header' },
  },
  {
    name: 'a hardlink to a file of a lower layer',
    archive: async () => dockerArchive([await own('hardlink-lower'), await layerTar([{ name: 'bad-input/link-to-lower', type: 'link', linkname: 'bad-input/hardlink-lower' }])], 'bad-hardlink-lower:latest'),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /link \/bad-input\/hardlink-lower \/bad-input\/link-to-lower: no such file or directory$/, boxlab: /^l1\/layer\.tar: link \/bad-input\/hardlink-lower \/bad-input\/link-to-lower: no such file or directory$/, words: 'link /bad-input/hardlink-lower /bad-input/link-to-lower: no such file or directory' },
  },
  {
    name: 'a whiteout in a directory that no layer made',
    archive: async () => dockerArchive([await own('wh-no-dir-base'), await layerTar([{ name: 'bad-input-nodir/.wh.gone', content: '' }])], 'bad-wh-no-dir:latest'),
    expect: { both: 'load', docker: /^Loaded image: bad-wh-no-dir:latest$/, boxlab: /^Loaded image: bad-wh-no-dir:latest$/, sameFiles: true },
  },
  {
    name: 'a whiteout of a directory and the directory again, in one layer',
    archive: async () =>
      dockerArchive(
        [
          await own('wh-again-lower', [{ name: 'bad-input/sub', type: 'directory' }, { name: 'bad-input/sub/lower', content: 'lower\n' }]),
          await layerTar([{ name: 'bad-input/.wh.sub', content: '' }, { name: 'bad-input/sub', type: 'directory' }, { name: 'bad-input/sub/upper', content: 'upper\n' }]),
        ],
        'bad-wh-again:latest',
      ),
    expect: { both: 'load', docker: /^Loaded image: bad-wh-again:latest$/, boxlab: /^Loaded image: bad-wh-again:latest$/, sameFiles: true },
  },
  {
    name: 'a directory, then its whiteout, in one layer',
    archive: async () =>
      dockerArchive(
        [
          await own('dir-then-wh-lower', [{ name: 'bad-input/sub', type: 'directory' }, { name: 'bad-input/sub/lower', content: 'lower\n' }]),
          await layerTar([{ name: 'bad-input/sub', type: 'directory' }, { name: 'bad-input/sub/upper', content: 'upper\n' }, { name: 'bad-input/.wh.sub', content: '' }]),
        ],
        'bad-dir-then-wh:latest',
      ),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /failed to mknod\("\/bad-input\/sub", S_IFCHR, 0\): file exists$/, boxlab: /^l1\/layer\.tar: failed to mknod\("\/bad-input\/sub", S_IFCHR, 0\): file exists$/, words: 'failed to mknod("/bad-input/sub", S_IFCHR, 0): file exists' },
  },
  {
    name: 'an opaque marker at the root',
    archive: async () => dockerArchive([await own('opaque-root-lower'), await layerTar([{ name: '.wh..wh..opq', content: '' }, { name: 'opaque-root-only', content: 'only\n' }])], 'bad-opaque-root:latest'),
    expect: { both: 'load', docker: /^Loaded image: bad-opaque-root:latest$/, boxlab: /^Loaded image: bad-opaque-root:latest$/, sameFiles: true },
  },
  {
    name: 'a layer writing through a symlink loop of a lower layer',
    archive: async () =>
      dockerArchive(
        [
          await own('loop-lower', [{ name: 'bad-input/loop1', type: 'symlink', linkname: 'loop2' }, { name: 'bad-input/loop2', type: 'symlink', linkname: 'loop1' }]),
          await layerTar([{ name: 'bad-input/loop1/x', content: 'x\n' }]),
        ],
        'bad-loop:latest',
      ),
    expect: { both: 'load', docker: /^Loaded image: bad-loop:latest$/, boxlab: /^Loaded image: bad-loop:latest$/, sameFiles: true },
  },
  {
    name: 'a layer that needs a directory where a lower layer has a file',
    archive: async () => dockerArchive([await own('file-parent'), await layerTar([{ name: 'bad-input/file-parent/x', content: 'x\n' }])], 'bad-file-parent:latest'),
    expect: { both: 'load', docker: /^Loaded image: bad-file-parent:latest$/, boxlab: /^Loaded image: bad-file-parent:latest$/, sameFiles: true },
  },
  {
    name: 'a layer that needs a directory where the same layer has a file',
    archive: async () => dockerArchive([await own('same-file-parent', [{ name: 'bad-input/f', content: 'f\n' }, { name: 'bad-input/f/x', content: 'x\n' }])], 'bad-same-file-parent:latest'),
    expect: { both: 'refuse', code: 'InvalidArchive', docker: /open \/bad-input\/f\/x: not a directory$/, boxlab: /^l0\/layer\.tar: open \/bad-input\/f\/x: not a directory$/, words: 'open /bad-input/f/x: not a directory' },
  },
  {
    name: 'a layer adding a file to a lower directory without an entry for the directory',
    archive: async () =>
      dockerArchive([await own('implicit-parent', [{ name: 'bad-input/private', type: 'directory', mode: 0o700 }]), await layerTar([{ name: 'bad-input/private/x', content: 'x\n' }])], 'bad-implicit-parent:latest'),
    expect: { both: 'load', docker: /^Loaded image: bad-implicit-parent:latest$/, boxlab: /^Loaded image: bad-implicit-parent:latest$/, sameFiles: true },
  },
  {
    name: '126 layers',
    archive: async () => dockerArchive(await Promise.all(Array.from({ length: 126 }, (_, i) => own(`depth-${i}`))), 'bad-depth:latest'),
    expect: { both: 'refuse', code: 'FailedPrecondition', docker: /^max depth exceeded$/, boxlab: /^max depth exceeded/, words: 'max depth exceeded' },
  },
  {
    name: 'an OCI-only archive (`oci-layout`, `index.json`, `blobs/`, no `manifest.json`)',
    archive: async () => ociArchive([await own('oci-only')], 'bad-oci-only:latest'),
    expect: {
      difference: 'declared in oracles.md: boxlab reads OCI archives and layouts; 20.10 looks for the legacy `<id>/json`',
      docker: /blobs\/json: no such file or directory$/,
      boxlab: 'loads',
    },
  },
  {
    name: 'duplicate entries in one layer',
    archive: async () =>
      dockerArchive([await own('dup', [{ name: 'bad-input/d', content: 'first\n' }, { name: 'bad-input/d', content: 'second\n', mode: 0o600 }])], 'bad-dup:latest'),
    expect: {
      difference: 'declared in oracles.md: the last entry wins, as umoci does; 20.10 refuses the layer',
      docker: /^Error processing tar file\(duplicates of file paths not supported\):$/,
      boxlab: 'loads',
      check: async (engine, ids) => {
        const lines = await boxlabListing(engine, ids[0]!);
        expect(lines.filter((l) => l.includes('/bad-input/d '))).toEqual([`f 0600 0:0 /bad-input/d ${sha('second\n').slice(7, 23)} 7`]);
      },
    },
  },
];

interface Row {
  name: string;
  docker: string;
  boxlab: string;
  verdict: string;
}

describeWithTool(dockerd(), 'bad input: docker load and boxlab load refuse the same archives', () => {
  let engine: Engine;
  let root: string;
  const rows: Row[] = [];
  beforeAll(async () => {
    ({ engine, root } = await freshEngine());
    await engine.images.load(path.join(CORPUS, 'basic.oci.tar'));
  });

  afterAll(() => {
    if (process.env.BOXLAB_WRITE_MESSAGES === '1' && rows.length === CASES.length) fs.writeFileSync(MESSAGES, table(rows));
  });

  /** Docker's view of the image (a created container's export, less the init layer) against boxlab's export. */
  async function expectSameFiles(ref: string, id: string): Promise<void> {
    const cmp = withoutInitLayer(await dockerFiles(ref), await boxlabListing(engine, id));
    expect(cmp.docker).toEqual(cmp.boxlab);
  }

  for (const c of CASES) {
    it(`${c.name}: ${'difference' in c.expect ? 'a difference, asserted' : c.expect.both === 'refuse' ? 'both refuse' : 'both load'}`, async () => {
      const file = writeTmp(await c.archive(), 'bad.tar');
      const d = await docker(['load', '-i', file]);
      const dockerSays = d.code === 0 ? d.stdout.trim() : normalizeDocker(d.stderr);
      const before = snapshotTree(root);
      const b = await engine.images.load(file).then(
        (r) => ({ ok: true as const, ids: r.images.map((i) => i.id), says: loadLines(r).join('\n') }),
        (e: unknown) => {
          if (!(e instanceof BoxlabError)) throw e;
          return { ok: false as const, err: e, says: e.message };
        },
      );
      const e = c.expect;
      rows.push({ name: c.name, docker: dockerSays, boxlab: b.says, verdict: 'difference' in e ? `difference: ${e.difference}` : e.both === 'refuse' ? 'both refuse' : 'both load' });

      if (!('difference' in e) && e.both === 'load') {
        expect(d.code, d.stderr).toBe(0);
        expect(dockerSays).toMatch(e.docker);
        expect(b.ok).toBe(true);
        expect(b.says).toMatch(e.boxlab);
        if (e.sameFiles && b.ok) await expectSameFiles(dockerSays.replace(/^Loaded image: /, ''), b.ids[0]!);
        return;
      }
      const dockerRefuses = 'difference' in e ? e.docker !== 'loads' : true;
      const boxlabRefuses = 'difference' in e ? e.boxlab !== 'loads' : true;
      if (dockerRefuses) {
        expect(d.code, d.stdout).toBe(1);
        expect(dockerSays).toMatch(e.docker as RegExp);
      } else expect(d.code, d.stderr).toBe(0);
      if (boxlabRefuses) {
        expect(b.ok, b.says).toBe(false);
        if (!b.ok) {
          expect(b.err.code).toBe('difference' in e ? e.code : e.code);
          expect(b.says).toMatch(e.boxlab as RegExp);
          if (!('difference' in e) && e.words) expect(b.says).toContain(e.words === 'DOCKER' ? dockerSays : e.words);
        }
        expect(snapshotTree(root)).toEqual(before);
      } else {
        expect(b.ok, b.says).toBe(true);
        if (b.ok && 'difference' in e) await e.check?.(engine, b.ids);
      }
    });
  }

  it.skipIf(process.env.BOXLAB_WRITE_MESSAGES === '1')('MESSAGES.md is the table this run produced, and the README shows it', () => {
    expect(rows).toHaveLength(CASES.length);
    expect(fs.readFileSync(MESSAGES, 'utf8')).toBe(table(rows));
    const rowsOf = (text: string) => text.split('\n').filter((l) => l.startsWith('| ')).join('\n');
    expect(fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')).toContain(rowsOf(table(rows)));
  });
});

const cell = (s: string) => (s === '' ? '(nothing)' : '`' + s.replace(/\n/g, '` `').replace(/\|/g, '\\|') + '`');

function table(rows: Row[]): string {
  return [
    '# `docker load` and `boxlab load` on bad input, side by side',
    '',
    'Made by `BOXLAB_WRITE_MESSAGES=1 npx vitest run test/oracle/bad-input.test.ts` against Docker Engine 20.10',
    "(Debian's docker.io, overlay2); every archive is built by that test. Docker's own temp dir is shown as",
    '`<tmp>/`; a refusal is on stderr with exit 1, a load on stdout. boxlab prints `Error: ` before its message.',
    '',
    '| case | docker load says | boxlab load says | verdict |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${cell(r.docker)} | ${cell(r.boxlab)} | ${r.verdict} |`),
    '',
  ].join('\n');
}
