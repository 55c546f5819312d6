import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { CORPUS, DOCKER_REFUSES, freshEngine, loadableCorpus, snapshotTree, tmpdir } from '../helpers/archive.js';
import { exportListing } from '../helpers/listing.js';
import { needRoot, needTool } from '../support/tools.js';
import { itWithTool } from '../support/tools.js';
import { loadLines } from '../../src/docker-words.js';

const expected = (archive: string) => fs.readFileSync(path.join(CORPUS, `${archive.split('.')[0]}.expected.txt`), 'utf8');


describe('the corpus built by umoci, skopeo and docker', () => {
  let engine: Engine;
  beforeAll(async () => {
    ({ engine } = await freshEngine());
  });

  for (const archive of loadableCorpus()) {
    it(`loads ${archive} and exports the rootfs umoci unpacked`, async () => {
      const res = await engine.images.load(path.join(CORPUS, archive));
      expect(loadLines(res)).toEqual([`Loaded image: ${archive.split('.')[0]}:latest`]);
      expect(await exportListing(engine, res.images[0]!.id)).toBe(expected(archive));
    });
  }

  for (const [archive, words] of Object.entries(DOCKER_REFUSES)) {
    it(`refuses ${archive} at load with Docker's words, and leaves the store as it was`, async () => {
      const { engine: e, root } = await freshEngine();
      const before = snapshotTree(root);
      await expect(e.images.load(path.join(CORPUS, archive))).rejects.toMatchObject({ code: 'InvalidArchive', message: expect.stringMatching(new RegExp(`: ${words.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`)) });
      expect(snapshotTree(root)).toEqual(before);
    });
  }

  itWithTool([needRoot(), needTool('tar', 'apt-get install tar'), needTool('python3', 'apt-get install python3')], 'exports a tar that GNU tar extracts, as root, to the expected rootfs', async () => {
    for (const archive of loadableCorpus()) {
      const { engine: e } = await freshEngine();
      const { images } = await e.images.load(path.join(CORPUS, archive));
      const out = path.join(tmpdir(), 'rootfs.tar');
      await e.images.export(images[0]!.id, fs.createWriteStream(out));
      const dir = tmpdir('boxlab-rootfs-');
      execFileSync('tar', ['--same-owner', '--numeric-owner', '-xpf', out, '-C', dir]);
      const listing = execFileSync('python3', [path.join(CORPUS, 'listing.py'), dir], { encoding: 'utf8' });
      expect(listing, archive).toBe(expected(archive));
    }
  });
});
