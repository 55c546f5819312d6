import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CORPUS, tmpdir, writeTmp } from '../helpers/archive.js';
import { listingOfTar } from '../helpers/listing.js';
import { itWithTool, needTool } from '../support/tools.js';
import { boxlab as run } from './run.js';



const boxlab = (root: string, ...args: string[]) => run(root, args);
const boxlabWithInput = (root: string, input: Buffer, ...args: string[]) => run(root, args, { input });

describe('the boxlab command', () => {
  const root = tmpdir('boxlab-cli-');

  it('loads an archive and prints only the result when piped', async () => {
    const r = await boxlab(root, 'load', '-i', path.join(CORPUS, 'whiteouts.docker.tar'));
    expect(r).toMatchObject({ code: 0, stdout: 'Loaded image: whiteouts:latest\n', stderr: '' });
  });

  const fromStdin = async (input: Buffer) => {
    const other = tmpdir('boxlab-cli-stdin-');
    try {
      expect((await boxlabWithInput(other, input, 'load'))).toMatchObject({ code: 0, stdout: 'Loaded image: basic:latest\n', stderr: '' });
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  };
  const basic = () => fs.readFileSync(path.join(CORPUS, 'basic.docker.tar'));

  it('reads the archive from stdin without -i, plain or gzip\'d, as docker load does', async () => {
    await fromStdin(basic());
    await fromStdin(gzipSync(basic()));
  });

  itWithTool(needTool('zstd', 'apt-get install zstd'), "reads a zstd'd archive from stdin", async () => {
    await fromStdin(spawnSync('zstd', ['-q', '-c'], { input: basic(), maxBuffer: 1 << 30 }).stdout);
  });

  it('lists images with docker\'s columns', async () => {
    const r = await boxlab(root, 'images');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(r.stdout).toMatch(/^whiteouts\s+latest\s+c330b18779fb\s+/m);
  });

  it('prints one history row per history entry', async () => {
    const r = await boxlab(root, 'history', 'whiteouts');
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
    expect(r.stdout.split('\n')[1]).toMatch(/^c330b18779fb\s/);
  });

  it('inspects an image as Docker-shaped JSON', async () => {
    const [img] = JSON.parse((await boxlab(root, 'inspect', 'whiteouts:latest')).stdout);
    expect(img.Id).toBe('sha256:c330b18779fb6313545e06a099265c1965df9ddc980405c54103674bdec51806');
    expect(img.RepoTags).toEqual(['whiteouts:latest']);
    expect(img.RootFS.Layers).toHaveLength(3);
  });

  it('shows per-layer changes and the efficiency score', async () => {
    const r = await boxlab(root, 'layers', 'whiteouts');
    expect(r.stdout).toMatch(/\+0 ~1 -3/);
    expect(r.stdout).toMatch(/Image efficiency score: \d+\.\d %/);
  });

  it('exports the merged filesystem to a file', async () => {
    const out = path.join(tmpdir(), 'rootfs.tar');
    expect((await boxlab(root, 'export', 'whiteouts', '-o', out)).code).toBe(0);
    const listing = (await listingOfTar(fs.readFileSync(out))).join('\n') + '\n';
    expect(listing).toBe(fs.readFileSync(path.join(CORPUS, 'whiteouts.expected.txt'), 'utf8'));
  });

  it('fails with a clear message and a non-zero status on bad input', async () => {
    const r = await boxlab(root, 'load', '-i', writeTmp(Buffer.from('not a tar at all'.repeat(64))));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: invalid archive/);
    expect((await boxlab(root, 'inspect', 'nosuch')).stderr).toBe('Error: No such image: nosuch:latest\n');
  });

  it('looks a path up in a fresh overlay of an image: walk probes every layer, the index does not', async () => {
    const deep = path.join(import.meta.dirname, '..', '..', 'images', 'deep.docker.tar');
    expect((await boxlab(root, 'load', '-i', deep)).code).toBe(0);
    const walk = JSON.parse((await boxlab(root, 'lookup', 'boxlab/deep', '/data/layer-02.txt', '--json')).stdout);
    const indexed = JSON.parse((await boxlab(root, 'lookup', 'boxlab/deep', '/data/layer-02.txt', '--strategy', 'indexed', '--json')).stdout);
    expect([walk.found, walk.layer, indexed.layer]).toEqual([true, 1, 1]);
    // `data` is probed in all 31 layers, then `layer-02.txt` from the top down to layer 1
    expect(walk.probeCount).toBeGreaterThan(31);
    expect(indexed.probeCount).toBeLessThan(6);
    expect((await boxlab(root, 'lookup', 'boxlab/deep', '/data/layer-02.txt')).stdout).toMatch(/^\/data\/layer-02\.txt: file \/data\/layer-02\.txt, in L1 of L0\.\.L30,/);
    await boxlab(root, 'rmi', 'boxlab/deep');
  });

  it('removes an image and collects its layers', async () => {
    const r = await boxlab(root, 'rmi', 'whiteouts');
    expect(r.stdout.split('\n')[0]).toBe('Untagged: whiteouts:latest');
    expect(r.stdout).toMatch(/^Deleted: sha256:c330b18779fb/m);
    expect(fs.readdirSync(path.join(root, 'layers'))).toEqual([]);
    expect(fs.readdirSync(path.join(root, 'blobs', 'sha256'))).toEqual([]);
  });
});
