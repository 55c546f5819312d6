/**
 * Lab 07: volumes, bind mounts and tmpfs, side by side.
 *
 * A container's files live in its overlay's upper layer and go with `docker rm`. Three kinds of
 * mount put other filesystems over parts of it: a named volume (a directory the engine keeps under
 * its root, filled from the image the first time it is mounted empty), a bind mount (a directory of
 * the host, seen as it is, confined to it), and a tmpfs (memory, empty at each start). This lab runs
 * one container with all three over boxlab/webapp:1.0, draws its mount table over the overlay,
 * then shows what survives a new start, `rm` and `rm -v`, and where the bytes are on the host.
 *
 *   npx tsx labs/07-volumes.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../src/engine/engine.js';
import { heading, IMAGES_DIR, isMain, labEngine, line, note, stdout, type LabOutput } from './lib.js';

const YOURS = ['/app/public', '/srv', '/cache', '/scratch'];

/** Starts the container and waits for its exit; what it printed. */
async function startAndWait(engine: Engine, id: string, during?: () => void): Promise<string> {
  const chunks: string[] = [];
  const l = engine.containers.listen(id, (_s, d) => chunks.push(Buffer.from(d).toString()));
  const done = engine.containers.wait(id, 'next-exit').done;
  await engine.containers.start(id);
  during?.();
  await done;
  l.stop();
  return chunks.join('');
}

/** The mount table, one row per mount: whose it is, where, what filesystem, from where, how. */
function drawTable(out: LabOutput, table: string): void {
  for (const row of table.split('\n').filter(Boolean)) {
    const [src = '', target = '', type = '', opts = ''] = row.split(' ');
    const whose = target === '/' ? 'rootfs' : YOURS.includes(target) ? 'yours' : 'engine';
    line(out, `${whose.padEnd(7)}${target.padEnd(18)}${type.padEnd(8)}${src.padEnd(10)}${opts.split(',').slice(0, 2).join(',')}`);
  }
}

export async function run(out: LabOutput = stdout): Promise<void> {
  const lab = await labEngine();
  const { engine } = lab;
  const host = path.join(lab.root, 'host-dir');
  fs.mkdirSync(host);
  try {
    await engine.images.load(path.join(IMAGES_DIR, 'webapp.oci.tar'));
    // the volume exists, empty, before the container: what populate-on-first-mount starts from
    engine.volumes.create({ Name: 'site' });
    const before = fs.readdirSync(engine.volumes.store.dataPath('site'));
    const script = 'ls /scratch; echo note >> /app/public/added; echo from-container > /srv/out; echo temp > /scratch/t; sleep 1';
    const { id } = await engine.containers.create({
      Image: 'boxlab/webapp:1.0',
      Entrypoint: [],
      // the image's /bin/sh is a stand-in file: busybox runs the shell by the applet named after it
      Cmd: ['busybox', 'sh', '-c', script],
      HostConfig: { Binds: ['site:/app/public', `${host}:/srv`], Tmpfs: { '/scratch': 'size=64k' } },
      Volumes: { '/cache': {} },
    });

    heading(out, 'Populate on first mount: the empty volume `site` got the image`s /app/public at create');
    line(out, `before create: ${before.length ? before.join('  ') : '(empty)'}`);
    line(out, `after create:  ${fs.readdirSync(engine.volumes.store.dataPath('site')).join('  ')}`);
    note(out, 'An EMPTY volume mounted over a directory the image has is filled from it (moby copyExistingContents),\nonce. A volume that holds anything hides the image`s files instead; `-v site:/app/public:nocopy` skips it.');

    heading(out, 'The mount table over the overlay (what /proc/mounts shows inside)');
    let table = '';
    await startAndWait(engine, id, () => (table = engine.runtime.mountTable(engine.containers.get(id)) ?? ''));
    drawTable(out, table);
    note(out, 'One overlay at /, the engine`s own mounts (/dev, /dev/shm, the /etc files), and yours on top: the\nvolumes and the bind are the host`s own filesystem (its device and type), the tmpfs is memory.');

    heading(out, 'What survives a stop and a new start');
    const second = await startAndWait(engine, id);
    line(out, `/scratch at the second start: ${second.trim() === '' ? '(empty)' : second.trim()}`);
    line(out, `the volume: ${fs.readdirSync(engine.volumes.store.dataPath('site')).join('  ')}, added = ${JSON.stringify(fs.readFileSync(path.join(engine.volumes.store.dataPath('site'), 'added'), 'utf8'))}`);
    line(out, `the host file written through the bind: ${fs.readFileSync(path.join(host, 'out'), 'utf8').trim()}`);
    note(out, 'The tmpfs was empty again: it lives while the container runs. The volume and the bind are files on\nthe host: a write that returned is there, whatever happens to the container or the daemon.');

    heading(out, '`rm -v` takes the anonymous volume; the named one stays until `docker volume rm`');
    const anon = engine.containers.get(id).mounts.find((m) => m.Destination === '/cache')!.Name!;
    await engine.containers.remove(id, { removeVolumes: true });
    for (const v of [anon, 'site']) line(out, `${v.length > 12 ? `${v.slice(0, 12)}…` : v}`.padEnd(14) + (engine.volumes.store.get(v) ? 'kept' : 'removed'));

    heading(out, 'Where the bytes are');
    line(out, `${engine.volumes.store.dataPath('site')}   (inspect shows /var/lib/docker/volumes/site/_data)`);
    line(out, `${host}   (a bind: the host's own directory)`);
    note(out, 'Nothing inside reaches past the bound directory: links to / or .. resolve in the container, one\ncomponent at a time from an open directory (test/vfs/hostfs.test.ts tries, with a racing writer).');
  } finally {
    lab.cleanup();
  }
}

if (isMain(import.meta.url)) await run();
