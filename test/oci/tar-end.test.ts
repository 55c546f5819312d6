/**
 * Where an archive and its layers end, as `docker load` reads them (Go's archive/tar and gzip):
 * junk after a tar's end marker is not tar (a layer's diffID still covers it), an empty file is an
 * empty layer, and bytes after a gzip's last member fail the load. test/oracle/bad-input.test.ts
 * gives the same archives to Docker.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BoxlabError } from '../../src/errors.js';
import { CORPUS, dockerArchive, freshEngine, layerTar, sha, snapshotTree, writeTmp } from '../helpers/archive.js';
import { listingOfTar } from '../helpers/listing.js';

const JUNK = Buffer.from('junk after the end of the archive, which no tar reader should take for a header\n'.repeat(20));

async function load(archive: Buffer | Readable) {
  const { engine, root } = await freshEngine();
  const before = snapshotTree(root);
  const result = await engine.images.load(Buffer.isBuffer(archive) ? writeTmp(archive) : archive).then(
    (r) => ({ ok: true as const, engine, id: r.images[0]!.id }),
    (err: unknown) => ({ ok: false as const, err: err as BoxlabError }),
  );
  if (!result.ok) expect(snapshotTree(root)).toEqual(before);
  return result;
}

/** The paths of the non-directories in the image's exported rootfs. */
async function paths(engine: Awaited<ReturnType<typeof freshEngine>>['engine'], id: string): Promise<string[]> {
  const pt = new PassThrough();
  const listing = listingOfTar(pt);
  await engine.images.export(id, pt);
  return (await listing).filter((l) => !l.startsWith('d ')).map((l) => l.split(' ')[3]!.slice(1));
}

describe('where an archive and its layers end, as docker load reads them', () => {
  it('loads a layer with junk after its end marker; the diffID covers the junk', async () => {
    const layer = Buffer.concat([await layerTar([{ name: 'kept', content: 'k' }]), JUNK]);
    const r = await load(await dockerArchive([layer], 'junk:1'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(await paths(r.engine, r.id)).toEqual(['kept']);
    expect((await r.engine.images.inspect(r.id)).RootFS).toEqual({ Type: 'layers', Layers: [sha(layer)] });
  });

  it('does not apply a second tar appended to a layer after its end marker', async () => {
    const layer = Buffer.concat([await layerTar([{ name: 'first', content: '1' }]), await layerTar([{ name: 'second', content: '2' }])]);
    const r = await load(await dockerArchive([layer], 'two-tars:1'));
    expect(r.ok && (await paths(r.engine, r.id))).toEqual(['first']);
  });

  it('refuses a layer with one zero block and then a header: "invalid tar header"', async () => {
    const a = await layerTar([{ name: 'a', content: 'a' }]);
    const layer = Buffer.concat([a.subarray(0, 1024), Buffer.alloc(512), await layerTar([{ name: 'b', content: 'b' }])]);
    const r = await load(await dockerArchive([layer], 'one-zero:1'));
    expect(!r.ok && r.err.message).toBe('l0/layer.tar: layer 0 is not a readable layer: invalid tar header');
  });

  it('loads an empty file as an empty layer, as Go reads it', async () => {
    const r = await load(await dockerArchive([await layerTar([{ name: 'base', content: 'b' }]), Buffer.alloc(0)], 'empty-layer:1'));
    expect(r.ok && (await paths(r.engine, r.id))).toEqual(['base']);
  });

  it('refuses a gzip layer with NULs or junk after its member: "gzip: invalid header"', async () => {
    const tar = await layerTar([{ name: 'g', content: 'g' }]);
    for (const tail of [Buffer.alloc(1024), JUNK]) {
      const r = await load(await dockerArchive([Buffer.concat([gzipSync(tar), tail])], 'gz-tail:1', { rootfs: { type: 'layers', diff_ids: [sha(tar)] } }));
      expect(!r.ok && r.err.message).toBe('l0/layer.tar: layer 0 is not a readable layer: gzip: invalid header');
    }
  });

  it('loads a gzip layer of several members, as Go reads them one after another', async () => {
    const tar = await layerTar([{ name: 'm', content: 'm'.repeat(5000) }]);
    const layer = Buffer.concat([gzipSync(tar.subarray(0, 3000)), gzipSync(tar.subarray(3000))]);
    const r = await load(await dockerArchive([layer], 'gz-members:1', { rootfs: { type: 'layers', diff_ids: [sha(tar)] } }));
    expect(r.ok && (await paths(r.engine, r.id))).toEqual(['m']);
  });

  it('loads an archive with junk after its end marker, but not a gzip archive with junk after its member', async () => {
    const archive = fs.readFileSync(path.join(CORPUS, 'basic.docker.tar'));
    expect((await load(Buffer.concat([archive, JUNK]))).ok).toBe(true);
    const r = await load(Buffer.concat([gzipSync(archive), JUNK]));
    expect(!r.ok && r.err.message).toBe('invalid archive: gzip: invalid header');
  });

  it('loads an archive that arrives in pieces smaller than a tar block', async () => {
    const archive = fs.readFileSync(path.join(CORPUS, 'whiteouts.oci.tar'));
    const pieces = function* () {
      for (let off = 0; off < archive.length; off += 100) yield archive.subarray(off, off + 100);
    };
    const r = await load(Readable.from(pieces(), { objectMode: false }));
    expect(r.ok ? 'loaded' : r.err.message).toBe('loaded');
  });
});
