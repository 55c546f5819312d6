/**
 * Lab 06: the Docker host's /var/lib/docker.
 *
 * What an image and a container are on a Docker host's disk, as Docker 20.10's overlay2 engine lays
 * them out: each layer a directory of files (overlay2/<cache ID>/diff) named in the layer store by
 * its chainID (image/overlay2/layerdb/sha256/<chainID>/cache-id), the image a config file named by
 * its digest, a container two more layers (its -init layer and its own writable one) plus a
 * directory of its own. boxlab keeps its own store and draws this view of it (`boxlab tree`); a test
 * holds the view to a real engine's data root (test/oracle/host-tree.test.ts).
 *
 *   npx tsx labs/06-docker-host.ts
 */
import * as path from 'node:path';
import { drawTree } from '../src/cli/commands/tree.js';
import { cacheId } from '../src/engine/containers/inspect.js';
import { dockerHostTree, type HostNode } from '../src/engine/host-tree.js';
import { heading, IMAGES_DIR, isMain, labEngine, line, note, stdout, type LabOutput } from './lib.js';

const DK_BUILD = path.join(IMAGES_DIR, '..', 'test', 'fixtures', 'corpus', 'dk-build.dsave.tar');

function at(root: HostNode, p: string): HostNode {
  let cur: HostNode | undefined = root;
  for (const part of p.split('/').filter(Boolean)) cur = cur?.children?.find((c) => c.name === part);
  if (!cur) throw new Error(`no ${p} in the view`);
  return cur;
}

export async function run(out: LabOutput = stdout): Promise<void> {
  const lab = await labEngine();
  try {
    const { engine } = lab;
    await engine.init();
    // dk-build (the test corpus's): a busybox-static image whose shell the model runs
    const [img] = (await engine.images.load(DK_BUILD)).images;
    const { record } = await engine.images.imageRecord(img!.id);
    const { id } = await engine.containers.create({ Image: img!.id, Cmd: ['sh', '-c', 'echo hello > /greeting; rm /etc/motd'] } as never, 'lab-host');
    await engine.containers.start(id);
    await engine.containers.wait(id).done;
    const view = await dockerHostTree(engine);

    heading(out, 'The layer store: image/overlay2/layerdb/sha256/<chainID>/');
    line(out, drawTree(at(view, 'image/overlay2/layerdb')).join('\n'));
    note(out, 'A layer is named by its chainID (its diffID folded with its parents\'), so the same layer on the\nsame parents is stored once. cache-id says which overlay2 directory holds its files; diff is its diffID.');

    heading(out, 'The image: image/overlay2/imagedb/content/sha256/<image ID> and repositories.json');
    line(out, drawTree(at(view, 'image/overlay2/imagedb')).join('\n'));
    note(out, `The image ID is the digest of that config file (${img!.id.slice(0, 19)}...); tags live in repositories.json.`);

    heading(out, 'The files: overlay2/<cache ID>/ for each layer, and the container\'s two');
    const cache = cacheId(id);
    const own = at(view, `overlay2/${cache}`);
    line(out, drawTree(own).join('\n'));
    line(out, drawTree(at(view, `overlay2/${cache}-init`)).join('\n'));
    note(
      out,
      `The container's layer holds only what it changed: /greeting, and /etc/motd as a whiteout (a 0/0\ncharacter device). Its "lower" names the -init layer (/etc/hosts, /.dockerenv, ...) and the image's\n${record.chainIds.length} layer(s) by their short l/ links, so that the mount options fit in one page.`,
    );

    heading(out, 'The container\'s own directory: containers/<id>/');
    line(out, drawTree(at(view, `containers/${id}`)).join('\n'));
    note(out, 'config.v2.json is the container record; the json log is what `docker logs` reads; hostname, hosts\nand resolv.conf are bind-mounted into the container at their /etc paths.');
  } finally {
    await lab.engine.close(); // checkpoints in flight finish before the store goes
    lab.cleanup();
  }
}

if (isMain(import.meta.url)) await run();
