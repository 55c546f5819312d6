/**
 * Issue 13's differential over generated edge layers: for each seeded stack (edge-layers.ts), the
 * real engine and boxlab either both refuse the archive, in the same words, or both load it, and then
 * what a container of it shows on the real engine (`docker create` + `docker export`, less the init
 * layer) equals boxlab's mount of the image (read through `export`), by type, mode, owner, size,
 * content and hardlink groups. BOXLAB_EDGE_SEEDS=N runs more stacks than the suite's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { dockerArchive, freshEngine, layerTar, tmpdir } from '../helpers/archive.js';
import { listingOfTar } from '../helpers/listing.js';
import { describeWithTool } from '../support/tools.js';
import { docker, dockerd } from './docker.js';
import { describeStack, edgeStack } from './edge-layers.js';
import { boxlabListing, withoutInitLayer } from './more.js';

const SEEDS = Number(process.env.BOXLAB_EDGE_SEEDS ?? 16);

describeWithTool(dockerd(), 'generated edge layers: the real engine and boxlab refuse alike or show the same files', () => {
  let engine: Engine;
  const work = tmpdir('boxlab-edge-');
  beforeAll(async () => {
    engine = (await freshEngine()).engine;
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`stack ${seed}`, async () => {
      const stack = edgeStack(seed * 7919);
      const tag = `edge-gen-${seed}:latest`;
      const archive = path.join(work, `edge-${seed}.tar`);
      fs.writeFileSync(archive, await dockerArchive(await Promise.all(stack.layers.map((l) => layerTar(l))), tag));
      const ours = await engine.images.load(archive).then(
        (r) => ({ id: r.images[0]!.id }),
        (e: unknown) => ({ error: (e as Error).message }),
      );
      const theirs = await docker(['load', '-i', archive]);
      const why = `\n${describeStack(stack)}\nboxlab: ${JSON.stringify(ours)}\ndocker: ${theirs.stderr}`;
      if ('error' in ours || theirs.code !== 0) {
        const refused = /^Error processing tar file\(exit status 1\): (.*)\n$/.exec(theirs.stderr)?.[1];
        expect(refused, `docker loaded what boxlab refused${why}`).toBeDefined();
        expect('error' in ours && ours.error.endsWith(`: ${refused}`), `not refused alike${why}`).toBe(true);
        return;
      }
      const c = (await docker(['create', '--pull', 'never', '--network', 'none', tag, 'true'])).stdout.trim();
      const out = path.join(work, 'export.tar');
      try {
        expect((await docker(['export', '-o', out, c])).code).toBe(0);
      } finally {
        await docker(['rm', '-f', c]);
        await docker(['rmi', tag]);
      }
      const cmp = withoutInitLayer(await listingOfTar(fs.readFileSync(out)), await boxlabListing(engine, ours.id));
      expect(cmp.boxlab, why).toEqual(cmp.docker);
    });
  }
});
