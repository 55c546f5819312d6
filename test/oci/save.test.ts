import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { CORPUS, freshEngine, loadableCorpus, tmpdir } from '../helpers/archive.js';
import { exportListing } from '../helpers/listing.js';
import { describeWithTool, needRoot, needTool } from '../support/tools.js';

const expected = (archive: string) => fs.readFileSync(path.join(CORPUS, `${archive.split('.')[0]}.expected.txt`), 'utf8');


async function saveTo(engine: Engine, ref: string, format: 'docker' | 'oci'): Promise<string> {
  const out = path.join(tmpdir(), `${format}.tar`);
  await engine.images.save([ref], format, fs.createWriteStream(out));
  return out;
}

describe('boxlab save', () => {
  for (const archive of loadableCorpus()) {
    for (const format of ['docker', 'oci'] as const) {
      it(`writes ${archive} as ${format} and reads it back as the same image`, async () => {
        const { engine } = await freshEngine();
        const { images } = await engine.images.load(path.join(CORPUS, archive));
        const before = await engine.images.inspect(images[0]!.id);
        // by its tag: `docker save ID` writes no tag (measured), `docker save NAME:TAG` writes that one
        const saved = await saveTo(engine, images[0]!.tags[0] ?? images[0]!.id, format);
        const { engine: other } = await freshEngine();
        const res = await other.images.load(saved);
        expect(res.images.map((i) => i.id)).toEqual([images[0]!.id]);
        const after = await other.images.inspect(images[0]!.id);
        expect(after.RepoTags).toEqual(before.RepoTags);
        expect(after.RootFS).toEqual(before.RootFS);
        expect(await exportListing(other, images[0]!.id)).toBe(expected(archive));
      });
    }
  }

  it('keeps the OCI manifest and blobs byte for byte through save --format oci', async () => {
    const { engine } = await freshEngine();
    const { images } = await engine.images.load(path.join(CORPUS, 'whiteouts.oci.tar'));
    const saved = await saveTo(engine, 'whiteouts', 'oci');
    const { engine: other } = await freshEngine();
    await other.images.load(saved);
    const a = await engine.images.imageRecord(images[0]!.id);
    const b = await other.images.imageRecord(images[0]!.id);
    expect(b.record.manifest).toBe(a.record.manifest);
    expect(b.record.layers).toEqual(a.record.layers);
  });
});

describeWithTool([needRoot(), needTool('skopeo', 'apt-get install skopeo'), needTool('umoci', 'apt-get install umoci'), needTool('python3', 'apt-get install python3')], 'skopeo and umoci read what boxlab saves', () => {
  for (const format of ['docker', 'oci'] as const) {
    for (const archive of loadableCorpus()) {
      it(`unpacks ${archive} saved as ${format} to the same rootfs`, async () => {
        const { engine } = await freshEngine();
        const { images } = await engine.images.load(path.join(CORPUS, archive));
        // by its tag: `docker save ID` writes no tag (measured), `docker save NAME:TAG` writes that one
        const saved = await saveTo(engine, images[0]!.tags[0] ?? images[0]!.id, format);
        const work = tmpdir('boxlab-umoci-');
        const layout = path.join(work, 'layout');
        const src = format === 'oci' ? `oci-archive:${saved}` : `docker-archive:${saved}`;
        execFileSync('skopeo', ['copy', '-q', src, `oci:${layout}:t`]);
        execFileSync('umoci', ['unpack', '--image', `${layout}:t`, path.join(work, 'bundle')]);
        const listing = execFileSync('python3', [path.join(CORPUS, 'listing.py'), path.join(work, 'bundle', 'rootfs')], { encoding: 'utf8' });
        expect(listing).toBe(expected(archive));
      });
    }
  }
});
