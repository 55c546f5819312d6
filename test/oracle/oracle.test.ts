import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithTool } from '../support/tools.js';
import { dockerd, imageInspect, load, run } from './docker.js';

const corpus = (name: string) => fileURLToPath(new URL(`../fixtures/corpus/${name}`, import.meta.url));

describeWithTool(dockerd(), 'the private Docker Engine', () => {
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

  it('runs a container with no network and without pulling', async () => {
    await load(corpus('dk-build.dsave.tar'));
    const r = await run('dk-build:latest', ['cat', '/proc/net/dev']);
    expect(r.code).toBe(0);
    // Only the loopback: nothing a container does can leave the machine.
    expect(r.stdout).toMatch(/\blo:/);
    expect(r.stdout).not.toMatch(/\beth0:/);
  });
});
