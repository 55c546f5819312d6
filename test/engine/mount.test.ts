import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshEngine, tmpdir } from '../helpers/archive.js';

const IMAGES = path.join(import.meta.dirname, '..', '..', 'images');

describe('a fresh overlay mount over a stored image', () => {
  it('reads file bytes from the store on demand and writes only to its own upper layer', async () => {
    const { engine } = await freshEngine();
    await engine.images.load(path.join(IMAGES, 'webapp.oci.tar'));
    const a = await engine.images.mount('boxlab/webapp:1.0');
    const b = await engine.images.mount('boxlab/webapp:1.0');
    expect(a.readFile('etc/os-release').toString()).toMatch(/^NAME="Alpine Linux"$/m);
    a.appendFile('etc/os-release', 'EXTRA=1\n');
    expect(a.readFile('etc/os-release').toString()).toMatch(/EXTRA=1\n$/);
    expect(b.readFile('etc/os-release').toString()).not.toMatch(/EXTRA/);
    expect(a.stats().copyUps).toBeGreaterThan(0);
    expect(a.lowers).toBe(b.lowers); // one shared lower stack per image
  });

  it('forgets the shared lower stack when the image is removed, so a reload reads the new blobs', async () => {
    const { engine } = await freshEngine();
    await engine.images.load(path.join(IMAGES, 'alpine.oci.tar'));
    const first = await engine.images.mount('boxlab/alpine:3.20');
    const before = first.readFile('etc/passwd');
    const saved = path.join(tmpdir(), 'alpine.docker.tar');
    await engine.images.save(['boxlab/alpine:3.20'], 'docker', fs.createWriteStream(saved));
    await engine.images.remove('boxlab/alpine:3.20');
    await engine.images.load(saved); // the same layer, now a plain tar blob: another file in the store
    const again = await engine.images.mount('boxlab/alpine:3.20');
    expect(again.lowers).not.toBe(first.lowers);
    expect(again.readFile('etc/passwd')).toEqual(before);
  });
});
