import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BoxlabError, type ErrorCode } from '../../src/errors.js';
import type { Engine } from '../../src/engine/engine.js';
import { CORPUS, corpusArchives, dockerArchive, freshEngine, layerTar, readMembers, sha, snapshotTree, writeMembers, writeTmp, type Member } from '../helpers/archive.js';
import { loadLines } from '../../src/docker-words.js';

const corpus = (name: string) => fs.readFileSync(path.join(CORPUS, name));

/** Rewrites an OCI archive's manifest (and the index pointing at it) after `edit`. */
async function editOciManifest(archive: Buffer, edit: (m: { layers: { size: number; digest: string }[] }, members: Member[]) => void): Promise<Buffer> {
  const members = await readMembers(archive);
  const index = JSON.parse(members.find((m) => m.header.name === 'index.json')!.data.toString());
  const desc = index.manifests[0];
  const mm = members.find((m) => m.header.name === `blobs/sha256/${desc.digest.slice(7)}`)!;
  const manifest = JSON.parse(mm.data.toString());
  edit(manifest, members);
  mm.data = Buffer.from(JSON.stringify(manifest));
  desc.digest = sha(mm.data);
  desc.size = mm.data.length;
  mm.header.name = `blobs/sha256/${desc.digest.slice(7)}`;
  members.find((m) => m.header.name === 'index.json')!.data = Buffer.from(JSON.stringify(index));
  return writeMembers(members);
}

async function mutateMember(archive: Buffer, name: RegExp, f: (m: Member) => Member | null): Promise<Buffer> {
  const out: Member[] = [];
  for (const m of await readMembers(archive)) {
    const r = name.test(m.header.name) ? f(m) : m;
    if (r) out.push(r);
  }
  return writeMembers(out);
}

describe('bad input fails with a typed error and leaves the store byte for byte as it was', () => {
  let engine: Engine;
  let root: string;
  beforeAll(async () => {
    ({ engine, root } = await freshEngine());
    await engine.images.load(path.join(CORPUS, 'basic.oci.tar'));
  });

  async function expectRefused(archive: Buffer, code: ErrorCode, message: RegExp): Promise<void> {
    const before = snapshotTree(root);
    const err = await engine.images.load(writeTmp(archive)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BoxlabError);
    expect((err as BoxlabError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
    expect(snapshotTree(root)).toEqual(before);
  }

  it('refuses a truncated archive', async () => {
    const a = corpus('whiteouts.docker.tar');
    await expectRefused(a.subarray(0, 5000), 'InvalidArchive', /invalid archive|unexpected end/i);
  });

  it('refuses a file that is not a tar', async () => {
    await expectRefused(Buffer.from('this is not an image archive\n'.repeat(40)), 'InvalidArchive', /invalid archive/);
  });

  it('refuses an empty archive', async () => {
    await expectRefused(Buffer.alloc(1024), 'InvalidArchive', /empty/);
  });

  it('refuses a blob whose content does not match its digest, naming the blob', async () => {
    const a = await mutateMember(corpus('whiteouts.oci.tar'), /blobs\/sha256\//, (m) => {
      if (m.data[0] !== 0x1f) return m; // only the gzip layers
      const data = Buffer.from(m.data);
      data.writeUInt8(data.readUInt8(data.length - 5) ^ 0xff, data.length - 5);
      return { ...m, data };
    });
    await expectRefused(a, 'DigestMismatch', /blobs\/sha256\/[a-f0-9]{64}: content digest sha256:[a-f0-9]{64} does not match/);
  });

  it('refuses a blob whose size differs from its descriptor', async () => {
    const a = await editOciManifest(corpus('whiteouts.oci.tar'), (m) => {
      m.layers[0]!.size += 1;
    });
    await expectRefused(a, 'DigestMismatch', /size \d+ does not match descriptor size \d+/);
  });

  it('refuses a manifest naming a missing blob', async () => {
    const members = await readMembers(corpus('whiteouts.oci.tar'));
    const index = JSON.parse(members.find((m) => m.header.name === 'index.json')!.data.toString());
    const manifest = JSON.parse(members.find((m) => m.header.name === `blobs/sha256/${index.manifests[0].digest.slice(7)}`)!.data.toString());
    const gone = `blobs/sha256/${manifest.layers[1].digest.slice(7)}`;
    await expectRefused(await writeMembers(members.filter((m) => m.header.name !== gone)), 'InvalidArchive', new RegExp(`${gone}: missing blob`));
  });

  it('refuses a layer whose content does not match its diffID', async () => {
    const a = await mutateMember(corpus('whiteouts.docker.tar'), /^98c99.*\.tar$/, (m) => {
      const data = Buffer.from(m.data);
      const i = data.indexOf('one\n');
      data.write('ONE\n', i);
      return { ...m, data };
    });
    await expectRefused(a, 'DigestMismatch', /invalid diffID for layer 0: expected "sha256:98c99/);
  });

  it('refuses invalid JSON, naming the member', async () => {
    const a = await mutateMember(corpus('whiteouts.docker.tar'), /^manifest\.json$/, (m) => ({ ...m, data: Buffer.from('[{"Config": ') }));
    await expectRefused(a, 'InvalidArchive', /manifest\.json: invalid JSON/);
  });

  it('refuses a config whose diff_ids count differs from the layers', async () => {
    const layer = await layerTar([{ name: 'f', content: 'x' }]);
    const a = await dockerArchive([layer], 'x:1', { rootfs: { type: 'layers', diff_ids: [] } });
    await expectRefused(a, 'InvalidArchive', /layers length mismatch: expected 1, got 0/);
  });

  it('refuses a hardlink out of the root to a target that is not there', async () => {
    const layer = await layerTar([{ name: 'h', type: 'link', linkname: '../../etc/passwd' }]);
    // Docker's words (pkg/archive: the link name is taken inside the root, and link(2) finds nothing)
    await expectRefused(await dockerArchive([layer]), 'InvalidArchive', /link \/etc\/passwd \/h: no such file or directory/);
  });

  it(`refuses an image deeper than Docker's layer store allows (max depth exceeded)`, async () => {
    const layers = await Promise.all(Array.from({ length: 126 }, (_, i) => layerTar([{ name: `f${i}`, content: String(i) }])));
    await expectRefused(await dockerArchive(layers), 'FailedPrecondition', /max depth exceeded/);
  });

  it('loads the same archive gzip-compressed as a whole, as docker load does', async () => {
    const { engine: e } = await freshEngine();
    const res = await e.images.load(writeTmp(gzipSync(corpus('whiteouts.docker.tar'))));
    expect(loadLines(res)).toEqual(['Loaded image: whiteouts:latest']);
  });

  it('survives random corruption of every corpus archive (fuzz): a typed error or a load, never a half-written store', async () => {
    const archives = corpusArchives().map((n) => corpus(n));
    await fc.assert(
      fc.asyncProperty(
        fc.nat(archives.length - 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        async (which, flips, cut) => {
          const data = Buffer.from(archives[which]!);
          for (const [at, x] of flips) data[Math.floor(at * (data.length - 1))]! ^= x;
          const input = cut === null ? data : data.subarray(0, Math.floor(cut * data.length));
          const before = snapshotTree(root);
          const ok = await engine.images.load(writeTmp(input)).then(
            () => true,
            (e: unknown) => {
              if (!(e instanceof BoxlabError)) throw e;
              return false;
            },
          );
          if (!ok) expect(snapshotTree(root)).toEqual(before);
        },
      ),
      { numRuns: 60, seed: 20261123 },
    );
  });
});
