/**
 * Lab 07: what persists. A tmpfs, a bind mount and volumes side by side, next to the container's own
 * layer.
 *
 * A container's files live in its overlay's upper layer and go with `docker rm`. Three kinds of
 * mount put other filesystems over parts of it: a volume (a directory the engine keeps under its
 * root, named or anonymous, filled from the image the first time it is mounted empty), a bind mount
 * (a directory of the host, seen as it is, confined to it) and a tmpfs (memory, empty at each start).
 * This lab runs containers over boxlab/webapp:1.0 with all of them, each start checking for the marks
 * the last one left, and shows: populate-on-first-mount before and after, the mount table over the
 * overlay, what survives `stop`, `rm` and `rm -v` (measured, not told), and where the bytes live.
 *
 *   npx tsx labs/07-persistence.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../src/engine/engine.js';
import { heading, IMAGES_DIR, isMain, labEngine, line, note, stdout, type LabOutput } from './lib.js';

/** Each place a container writes a mark: the kind of storage and the path inside. */
const PLACES = [
  { kind: 'container layer', at: '/layer' },
  { kind: 'tmpfs', at: '/scratch' },
  { kind: 'bind mount', at: '/srv' },
  { kind: 'named volume', at: '/app/public' },
  { kind: 'anonymous volume', at: '/cache' },
] as const;
type Kind = (typeof PLACES)[number]['kind'];
const YOURS: string[] = PLACES.filter((p) => p.kind !== 'container layer').map((p) => p.at);

/** Reports which marks the last start left (`/srv yes`), then leaves new ones everywhere. */
const SCRIPT = [
  ...PLACES.map((p) => `[ -e ${p.at}/mark ] && echo "${p.at} yes" || echo "${p.at} no"`),
  'mkdir -p /layer',
  ...PLACES.map((p) => `echo mark > ${p.at}/mark`),
  // running a moment longer, so the lab can read the mount table of a live container
  'sleep 0.3',
].join('; ');

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
    line(out, `${whose.padEnd(7)}${target.padEnd(28)}${type.padEnd(8)}${src.padEnd(10)}${opts.split(',').slice(0, 2).join(',')}`);
  }
}

async function createContainer(engine: Engine, host: string): Promise<string> {
  const { id } = await engine.containers.create({
    Image: 'boxlab/webapp:1.0',
    Entrypoint: [],
    // the image's /bin/sh is a stand-in file: busybox runs the shell by the applet named after it
    Cmd: ['busybox', 'sh', '-c', SCRIPT],
    HostConfig: { Binds: ['site:/app/public', `${host}:/srv`], Tmpfs: { '/scratch': 'size=64k' } },
    Volumes: { '/cache': {} },
  });
  return id;
}

/** Where each mark is on the host once the container may be gone; null where nothing of it is left. */
function hostMarks(engine: Engine, host: string, anon: string, containerExists: boolean): Record<Kind, boolean> {
  const inVolume = (name: string) => engine.volumes.store.get(name) !== undefined && fs.existsSync(path.join(engine.volumes.store.dataPath(name), 'mark'));
  return {
    // the layer and the tmpfs have no bytes outside the container: they live and die with it
    'container layer': containerExists,
    tmpfs: false,
    'bind mount': fs.existsSync(path.join(host, 'mark')),
    'named volume': inVolume('site'),
    'anonymous volume': inVolume(anon),
  };
}

const anonOf = (engine: Engine, id: string) => engine.containers.get(id).mounts.find((m) => m.Destination === '/cache')!.Name!;

async function populate(out: LabOutput, engine: Engine, host: string): Promise<string> {
  // the volume exists, empty, before the container: what populate-on-first-mount starts from
  engine.volumes.create({ Name: 'site' });
  const before = fs.readdirSync(engine.volumes.store.dataPath('site'));
  const id = await createContainer(engine, host);
  heading(out, 'Populate on first mount: the empty volume `site` got the image`s /app/public at create');
  line(out, `before create: ${before.length ? before.join('  ') : '(empty)'}`);
  line(out, `after create:  ${fs.readdirSync(engine.volumes.store.dataPath('site')).join('  ')}`);
  note(out, 'An EMPTY volume mounted over a directory the image has is filled from it (moby copyExistingContents),\nonce. A volume that holds anything hides the image`s files instead; `-v site:/app/public:nocopy` skips it.\nA bind mount is never filled: it hides what the image has there.');
  return id;
}

export async function run(out: LabOutput = stdout): Promise<void> {
  const lab = await labEngine();
  const { engine } = lab;
  const host = path.join(lab.root, 'host-dir');
  fs.mkdirSync(host);
  try {
    await engine.images.load(path.join(IMAGES_DIR, 'webapp.oci.tar'));
    const a = await populate(out, engine, host);

    heading(out, 'The mount table over the overlay (what /proc/mounts shows inside)');
    let table = '';
    await startAndWait(engine, a, () => (table = engine.runtime.mountTable(engine.containers.get(a)) ?? ''));
    drawTable(out, table);
    note(out, 'One overlay at /, the engine`s own mounts (/dev, /dev/shm, the /etc files), and yours on top: the\nvolumes and the bind are the host`s own filesystem (its device and type), the tmpfs is memory.');

    // the container exited (stopped); its next start reports the marks the first one left
    const afterStop = new Map(
      (await startAndWait(engine, a))
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
    const anonA = anonOf(engine, a);
    await engine.containers.remove(a);
    const afterRm = hostMarks(engine, host, anonA, false);
    // a second container, the same mounts (a new anonymous volume), removed with -v
    const b = await createContainer(engine, host);
    await startAndWait(engine, b);
    const anonB = anonOf(engine, b);
    await engine.containers.remove(b, { removeVolumes: true });
    const afterRmV = hostMarks(engine, host, anonB, false);

    heading(out, 'What survives: each start checks for the marks the last one left');
    const word = (kept: boolean | undefined) => (kept ? 'kept' : 'gone').padEnd(12);
    line(out, `${'where'.padEnd(18)}${'stop, start'.padEnd(12)}${'rm'.padEnd(12)}rm -v`);
    for (const p of PLACES) line(out, `${p.kind.padEnd(18)}${word(afterStop.get(p.at) === 'yes')}${word(afterRm[p.kind])}${word(afterRmV[p.kind]).trimEnd()}`);
    note(out, 'The tmpfs is empty at every start: it lives while the container runs. The container`s layer lives\nas long as the container. `rm` leaves every volume (the anonymous one dangling, `docker volume ls -f\ndangling=true` finds it); `rm -v` (and `run --rm`) take the anonymous volumes, never a named one. A\nbind mount is the host`s: the engine never removes it.');

    heading(out, 'Where the bytes are');
    line(out, `named volume      ${engine.volumes.store.dataPath('site')}`);
    line(out, `                  (inspect's Mounts and \`docker volume inspect\` say /var/lib/docker/volumes/site/_data)`);
    line(out, `anonymous volume  ${engine.volumes.store.dataPath(anonA)}   (${anonA.slice(0, 12)}…, kept by rm)`);
    line(out, `bind mount        ${host}   (the host's own directory)`);
    line(out, 'tmpfs             the daemon`s memory, nowhere on disk');
    line(out, 'container layer   the store`s active snapshot of the container (inspect: GraphDriver.Data.UpperDir)');
    note(out, 'Nothing inside reaches past the bound directory: links to / or .. resolve in the container, one\ncomponent at a time from an open directory (test/vfs/hostfs.test.ts tries, with a racing writer).');
  } finally {
    lab.cleanup();
  }
}

if (isMain(import.meta.url)) await run();
