import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { hostPlatform } from '../../src/oci/load.js';
import { buildImage, writeDockerArchive, writeOciArchive, type BuiltImage } from '../../src/oci/build.js';
import { freshEngine, readMembers, sha, tmpdir, writeMembers, writeTmp, type Member } from '../helpers/archive.js';
import { listingOfTar } from '../helpers/listing.js';
import { itWithTool, needTool } from '../support/tools.js';
import { loadLines } from '../../src/docker-words.js';

const CREATED = '2024-01-02T03:04:05Z';

async function image(name: string, files: Record<string, string>, base?: BuiltImage): Promise<BuiltImage> {
  return buildImage(
    { name, created: CREATED, steps: [{ ops: Object.entries(files).map(([p, c]) => ({ op: 'file' as const, path: p, content: c })), createdBy: 'COPY' }] },
    base,
  );
}

async function listing(engine: Engine, ref: string): Promise<string[]> {
  const pt = new PassThrough();
  const l = listingOfTar(pt);
  await engine.images.export(ref, pt);
  return l;
}

describe('archive formats docker load and containerd write', () => {
  for (const flavor of ['20.10', '25', 'containerd'] as const) {
    it(`loads docker save output in the Engine ${flavor} form`, async () => {
      const base = await image('fmt/base:1', { 'etc/os-release': 'ID=test\n' });
      const app = await image('fmt/app:1', { 'app/main.js': 'console.log(1)\n' }, base);
      const { engine } = await freshEngine();
      const res = await engine.images.load(writeTmp(await writeDockerArchive([app], { flavor })));
      expect(loadLines(res)).toEqual(['Loaded image: fmt/app:1']);
      expect(res.images[0]!.id).toBe(app.configDigest);
      expect((await engine.images.inspect('fmt/app:1')).RootFS).toEqual({ Type: 'layers', Layers: app.diffIds });
      expect(await listing(engine, 'fmt/app:1')).toEqual([
        'd 0755 0:0 /app',
        'd 0755 0:0 /etc',
        `f 0644 0:0 /app/main.js ${sha('console.log(1)\n').slice(7, 23)} 15`,
        `f 0644 0:0 /etc/os-release ${sha('ID=test\n').slice(7, 23)} 8`,
      ]);
    });
  }

  it('loads every image of a multi-image archive and stores their shared base once', async () => {
    const base = await image('multi/base:1', { 'etc/a': 'a'.repeat(5000) });
    const one = await image('multi/one:1', { one: '1' }, base);
    const two = await image('multi/two:1', { two: '2' }, base);
    const { engine } = await freshEngine();
    const res = await engine.images.load(writeTmp(await writeDockerArchive([one, two])));
    expect(loadLines(res).sort()).toEqual(['Loaded image: multi/one:1', 'Loaded image: multi/two:1']);
    const df = await engine.images.df();
    expect(df.sharedBytes).toBeGreaterThanOrEqual(base.layers[0]!.tar.length);
  });

  it('loads an OCI image layout directory', async () => {
    const img = await image('dir/img:1', { f: 'x' });
    const dir = tmpdir('boxlab-layout-');
    execFileSync('tar', ['-xf', writeTmp(await writeOciArchive([img])), '-C', dir]);
    const { engine } = await freshEngine();
    expect(loadLines((await engine.images.load(dir)))).toEqual(['Loaded image: dir/img:1']);
  });

  it('picks the manifest for this platform from an image index, as docker load does', async () => {
    const here = await image('plat/img:1', { here: 'yes' });
    const other = await image('plat/other:1', { there: 'no' });
    const members = (await readMembers(await writeOciArchive([here, other]))) as Member[];
    const indexMember = members.find((m) => m.header.name === 'index.json')!;
    const top = JSON.parse(indexMember.data.toString());
    const [mHere, mOther] = top.manifests;
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: mOther.mediaType, digest: mOther.digest, size: mOther.size, platform: { os: 'linux', architecture: hostPlatform().architecture === 'arm64' ? 'amd64' : 'arm64' } },
          { mediaType: mHere.mediaType, digest: mHere.digest, size: mHere.size, platform: hostPlatform() },
        ],
      }),
    );
    members.push({ header: { name: `blobs/sha256/${sha(list).slice(7)}` }, data: list });
    indexMember.data = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(list), size: list.length, annotations: { 'org.opencontainers.image.ref.name': 'plat/multi:1' } }],
      }),
    );
    const { engine } = await freshEngine();
    const res = await engine.images.load(writeTmp(await writeMembers(members)));
    expect(res.images).toEqual([{ id: here.configDigest, tags: ['plat/multi:1'] }]);
  });

  itWithTool(needTool('zstd', 'apt-get install zstd'), 'loads zstd-compressed layers', async () => {
    const img = await image('z/img:1', { 'data.txt': 'zstd '.repeat(1000) });
    const members = (await readMembers(await writeOciArchive([img]))) as Member[];
    const layer = img.layers[0]!;
    const tarFile = writeTmp(layer.tar, 'layer.tar');
    execFileSync('zstd', ['-q', '-f', tarFile, '-o', `${tarFile}.zst`]);
    const zst = fs.readFileSync(`${tarFile}.zst`);
    const man = members.find((m) => m.header.name === `blobs/sha256/${img.manifestDigest.slice(7)}`)!;
    const manifest = JSON.parse(man.data.toString());
    manifest.layers[0] = { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: sha(zst), size: zst.length };
    const manBytes = Buffer.from(JSON.stringify(manifest));
    const out = members.filter((m) => m !== man && m.header.name !== `blobs/sha256/${layer.digest.slice(7)}`);
    out.push({ header: { name: `blobs/sha256/${sha(zst).slice(7)}` }, data: zst }, { header: { name: `blobs/sha256/${sha(manBytes).slice(7)}` }, data: manBytes });
    const idx = out.find((m) => m.header.name === 'index.json')!;
    const index = JSON.parse(idx.data.toString());
    index.manifests[0].digest = sha(manBytes);
    index.manifests[0].size = manBytes.length;
    idx.data = Buffer.from(JSON.stringify(index));
    const { engine } = await freshEngine();
    await engine.images.load(writeTmp(await writeMembers(out)));
    expect((await listing(engine, 'z/img:1'))[0]).toMatch(/^f 0644 0:0 \/data\.txt [0-9a-f]{16} 5000$/);
    expect((await engine.images.layers('z/img:1')).layers[0]!.compression).toBe('zstd');
  });
});
