/**
 * `boxlab tree` against the real engine's data root: the dk-build image and two containers (one only
 * created, one started and exited after writing a file) held by the run's private dockerd and by a
 * boxlab engine give the same directories and the same file names per directory, IDs aside (Docker's
 * cache IDs and short links are random; boxlab derives them). Only what the two hold for this image
 * and these containers is compared (the daemon is shared with the rest of the run), plus the fixed
 * skeleton boxlab draws; containerd's, buildkit's, swarm's and the plugins' directories are not modelled.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { chainIds, hexOf, type Digest } from '../../src/digest.js';
import { cacheId } from '../../src/engine/containers/inspect.js';
import { dockerHostTree, shortLink, type HostNode } from '../../src/engine/host-tree.js';
import { freshEngine } from '../helpers/archive.js';
import { describeWithTool } from '../support/tools.js';
import { docker, dockerd, dockerHost, uniqueRef } from './docker.js';

const ARCHIVE = path.join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const HEX = /[0-9a-f]{64}/g;

/** "type relpath" lines under `dir`, as lstat sees them. */
function walkReal(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(path.join(dir, rel))) {
    const p = rel ? `${rel}/${name}` : name;
    const st = fs.lstatSync(path.join(dir, p));
    const t = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : 'f';
    out.push(`${t} ${p}`);
    if (st.isDirectory()) out.push(...walkReal(dir, p));
  }
  return out;
}

function walkView(n: HostNode, rel = ''): string[] {
  const out: string[] = [];
  for (const k of n.children ?? []) {
    const p = rel ? `${rel}/${k.name}` : k.name;
    out.push(`${{ dir: 'd', file: 'f', symlink: 'l', char: 'c', block: 'b' }[k.type]} ${p}`);
    if (k.children) out.push(...walkView(k, p));
  }
  return out;
}

/** What the two sides hold for one image and its containers, IDs replaced by <ID> and short links by <L>. */
function selection(lines: string[], ids: { chains: string[]; image: string; containers: string[]; caches: string[]; links: string[] }): string[] {
  const ours = new Set([...ids.chains, ids.image, ...ids.containers, ...ids.caches.map((c) => c.replace(/-init$/, ''))]);
  const links = new Set(ids.links);
  const keep = (p: string): boolean => {
    const parts = p.split('/');
    if (['buildkit', 'containerd', 'plugins', 'runtimes', 'swarm', 'trust', 'tmp'].includes(parts[0]!)) return false;
    if (p.startsWith('image/overlay2/imagedb/metadata/sha256/')) return false; // other images' parents
    if (parts[0] === 'overlay2' && parts[1] === 'l' && parts[2]) return links.has(parts[2]);
    for (const part of parts) {
      const hex = part.replace(/-init$/, '').replace(/-json\.log$/, '');
      if (/^[0-9a-f]{64}$/.test(hex) && !ours.has(hex)) return false;
    }
    return true;
  };
  return lines
    .filter((l) => keep(l.slice(2)))
    .map((l) => l.replace(HEX, '<ID>').replace(/^(l overlay2\/l\/)[A-Z0-9]{26}$/, '$1<L>'))
    .sort();
}

describeWithTool(dockerd(), 'boxlab tree against the real engine’s /var/lib/docker', () => {
  it('has the same directories and file names per directory for the dk-build image and two containers (IDs aside)', async () => {
    // the real engine
    const dataRoot = path.join(path.dirname(dockerHost().replace(/^unix:\/\//, '')), 'root');
    expect((await docker(['load', '-i', ARCHIVE])).code).toBe(0);
    const n1 = uniqueRef('tree-a').replace(':latest', '');
    const n2 = uniqueRef('tree-b').replace(':latest', '');
    const created = (await docker(['create', '--name', n1, 'dk-build', 'sh', '-c', 'true'])).stdout.trim();
    const ran = (await docker(['create', '--name', n2, 'dk-build', 'sh', '-c', 'echo hi > /out'])).stdout.trim();
    expect((await docker(['start', '-a', ran])).code).toBe(0);
    try {
      const image = (await docker(['image', 'inspect', '-f', '{{.Id}}', 'dk-build'])).stdout.trim();
      const diffIds = JSON.parse((await docker(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'dk-build'])).stdout) as Digest[];
      const chains = chainIds(diffIds).map(hexOf);
      const read = (p: string) => fs.readFileSync(path.join(dataRoot, p), 'utf8').trim();
      const caches = [
        ...chains.map((c) => read(`image/overlay2/layerdb/sha256/${c}/cache-id`)),
        ...[created, ran].flatMap((c) => [read(`image/overlay2/layerdb/mounts/${c}/mount-id`), read(`image/overlay2/layerdb/mounts/${c}/init-id`)]),
      ];
      const links = caches.map((c) => read(`overlay2/${c}/link`));
      const real = selection(walkReal(dataRoot), { chains, image: hexOf(image as Digest), containers: [created, ran], caches, links });

      // boxlab
      const { engine } = await freshEngine();
      await engine.init();
      await engine.images.load(ARCHIVE);
      const a = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'true'] } as never, 'tree-a');
      const b = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'echo hi > /out'] } as never, 'tree-b');
      await engine.containers.start(b.id);
      await engine.containers.wait(b.id).done;
      const view = await dockerHostTree(engine);
      const all = walkView(view);
      const myCaches = [...chains.map((c) => cacheId(c)), ...[a.id, b.id].flatMap((c) => [cacheId(c), `${cacheId(c)}-init`])];
      const mine = selection(all, { chains, image: hexOf(image as Digest), containers: [a.id, b.id], caches: myCaches, links: myCaches.map(shortLink) });
      // what boxlab draws holds nothing else: the selection left nothing out
      expect(mine.length).toBe(all.length);
      expect(mine).toEqual(real);
    } finally {
      await docker(['rm', '-f', created, ran]);
    }
  }, 240_000);
});
