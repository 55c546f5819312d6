/**
 * dockerode, the Node client that tools built on Docker use, against boxlab's daemon and against a
 * private real dockerd: the same calls (load, list, inspect, history, tag, remove, save, load again)
 * give the same answers, field for field, apart from what differs by nature (the overlay2 paths).
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import tar from 'tar-stream';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { startDockerd, stopDockerd, type Daemon as Dockerd } from '../oracle/daemon.js';
import { describeWithTool, needRoot, needTool } from '../support/tools.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream as Readable) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

/** The JSON messages of a load answer, as dockerode's followProgress would see them. */
async function loadMessages(docker: Docker, input: Readable | Buffer, quiet = true): Promise<unknown[]> {
  const res = await docker.loadImage(input as Readable, { quiet });
  return (await collect(res))
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
}

/**
 * manifest.json of a `docker save` answer, each layer named by its content's digest (its diffID):
 * Docker 20.10 names the layer directories by v1 compatibility IDs, boxlab's save by chainIDs.
 */
async function manifestOf(archive: Buffer): Promise<unknown> {
  const extract = tar.extract();
  let manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  const digests = new Map<string, string>();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, s, next) => {
      void collect(s as unknown as Readable).then((b) => {
        if (h.name === 'manifest.json') manifest = JSON.parse(b.toString()) as typeof manifest;
        digests.set(h.name, `sha256:${createHash('sha256').update(b).digest('hex')}`);
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(archive);
  await done;
  return manifest.map((m) => ({ ...m, Layers: m.Layers.map((l) => digests.get(l)) }));
}

/** Everything a client reads from the image calls, for one daemon. */
async function session(docker: Docker): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  out.load = await loadMessages(docker, createReadStream(ARCHIVE));
  out.list = await docker.listImages();
  const img = docker.getImage('dk-build');
  const inspect = (await img.inspect()) as unknown as Record<string, unknown>;
  delete inspect.GraphDriver; // overlay2 directories are each daemon's own
  out.inspect = inspect;
  out.history = await img.history();
  await img.tag({ repo: 'example/app', tag: 'v1' });
  await docker.getImage('dk-build').tag({ repo: 'example/app', tag: 'v2' });
  const tagged = (await docker.getImage('example/app:v1').inspect()) as unknown as Record<string, unknown>;
  out.tags = tagged.RepoTags;
  out.lastTagTimeSet = (tagged.Metadata as { LastTagTime: string }).LastTagTime !== '0001-01-01T00:00:00Z';
  out.listByReference = (await docker.listImages({ filters: JSON.stringify({ reference: ['example/*'] }) })).map((i) => i.RepoTags);
  out.removeOneTag = await docker.getImage('example/app:v1').remove();
  out.removeConflict = await docker
    .getImage((inspect.Id as string).slice(7, 19))
    .remove()
    .catch((e: { statusCode: number; json: unknown }) => ({ status: e.statusCode, body: e.json }));
  const saved = await collect(await docker.getImage('example/app:v2').get());
  out.savedManifest = await manifestOf(saved);
  out.removeForced = await docker.getImage((inspect.Id as string).slice(7, 19)).remove({ force: true });
  out.listEmpty = await docker.listImages();
  out.loadSaved = await loadMessages(docker, saved);
  out.listAfter = (await docker.listImages()).map((i) => i.RepoTags);
  out.missing = await docker
    .getImage('nosuch:1')
    .inspect()
    .catch((e: { statusCode: number; json: unknown }) => ({ status: e.statusCode, body: e.json }));
  return out;
}

describeWithTool([needRoot(), needTool('dockerd', 'apt-get install docker.io')], 'dockerode against boxlab daemon and dockerd', () => {
  let dir: string;
  let real: Dockerd;
  let daemon: Daemon;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bx-dockerode-'));
    real = await startDockerd();
    const engine = await Engine.open({ root: join(dir, 'root') });
    daemon = await Daemon.start(engine, { hosts: [{ kind: 'unix', path: join(dir, 'docker.sock') }], log: () => {} });
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    if (real) await stopDockerd(real);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('lists, inspects, tags, removes, saves and loads images with the same answers', async () => {
    const docker = await session(new Docker({ socketPath: real.host.slice('unix://'.length) }));
    const boxlab = await session(new Docker({ socketPath: join(dir, 'docker.sock') }));
    for (const key of Object.keys(docker)) expect(boxlab[key], key).toEqual(docker[key]);
    expect(docker.lastTagTimeSet).toBe(true);
    expect(docker.removeConflict).toMatchObject({ status: 409 });
  });
});
