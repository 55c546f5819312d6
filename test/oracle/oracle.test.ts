import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { describeWithTool } from '../support/tools.js';
import {
  build, commit, create, diff, dockerd, exportContainer, imageInspect, load, rm, rmi, run, save, start, uniqueRef,
} from './docker.js';

const corpus = (name: string) => fileURLToPath(new URL(`../fixtures/corpus/${name}`, import.meta.url));

describeWithTool(dockerd(), 'the private Docker Engine', () => {
  const work = mkdtempSync(join(tmpdir(), 'boxlab-oracle-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('loads a corpus docker archive and names the image it loaded', async () => {
    const r = await load(corpus('basic.docker.tar'));
    expect(r).toMatchObject({ code: 0, stdout: 'Loaded image: basic:latest\n', stderr: '' });
  });

  it('inspects the loaded image: its ID is the config digest, one layer per diffID', async () => {
    await load(corpus('basic.docker.tar'));
    const img = await imageInspect('basic:latest');
    // The archive's config is 85e1abd7….json: the image ID is the digest of those bytes.
    expect(img.Id).toBe('sha256:85e1abd7ffb4b66a636451127827a4fca30866a3e55779c961b8f103a4b2f1cc');
    expect(img.RootFS).toEqual({
      Type: 'layers',
      Layers: ['sha256:5312f5665d52ae4f668c83bac0ef7a96a95efc0ed56053f4e35f2b3f035039a5'],
    });
    expect(img.GraphDriver.Name).toBe('overlay2');
  });

  it('refuses a file that is not a tar, on stderr, without the daemon prefix', async () => {
    const junk = join(work, 'junk.tar');
    writeFileSync(junk, 'this is not a tar archive\n'.repeat(100));
    const r = await load(junk);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe('Error processing tar file(exit status 1): archive/tar: invalid tar header\n');
  });

  it('runs a container with no network and without pulling', async () => {
    await load(corpus('dk-build.dsave.tar'));
    const r = await run('dk-build:latest', ['cat', '/proc/net/dev']);
    expect(r.code).toBe(0);
    // Only the loopback: nothing a container does can leave the machine.
    expect(r.stdout).toMatch(/\blo:/);
    expect(r.stdout).not.toMatch(/\beth0:/);
  });

  it('builds, commits, diffs, exports, saves and removes images of its own', async () => {
    await load(corpus('dk-build.dsave.tar'));
    const dir = mkdtempSync(join(work, 'ctx-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM dk-build:latest\nRUN echo built > /built\n');
    const built = uniqueRef('built');
    expect((await build(dir, built)).code).toBe(0);

    const c = await create(built, ['sh', '-c', 'echo hi > /hi; rm /built']);
    expect((await start(c)).code).toBe(0);
    expect(await diff(c)).toEqual(['A /hi', 'D /built']);
    const committed = uniqueRef('committed');
    expect((await commit(c, committed)).code).toBe(0);

    const tar = join(work, 'export.tar');
    expect((await exportContainer(c, tar)).code).toBe(0);
    expect(statSync(tar).size).toBeGreaterThan(0);
    expect((await rm(c)).code).toBe(0);

    const saved = join(work, 'saved.tar');
    expect((await save([built, committed], saved)).code).toBe(0);
    const ids = [(await imageInspect(built)).Id, (await imageInspect(committed)).Id];
    const removed = await rmi([committed, built]);
    expect(removed.stdout).toContain(`Untagged: ${committed}\nDeleted: ${ids[1]}\n`);
    const back = await load(saved);
    // Engine 20.10 writes a multi-image manifest.json from a Go map: its order, hence load's, varies
    expect(back.stdout.trim().split('\n').sort()).toEqual([`Loaded image: ${built}`, `Loaded image: ${committed}`].sort());
    expect([(await imageInspect(built)).Id, (await imageInspect(committed)).Id]).toEqual(ids);
    await rmi([committed, built]);
  });
});
