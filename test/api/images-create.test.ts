/**
 * `POST /images/create` through boxlab's daemon: `docker import` of the body answers the JSON
 * stream's one status line, the image ID; a bad --change is the response's status and message, as
 * moby writes its stream only at the end; `docker pull` is refused without asking any registry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { layerTar } from '../helpers/archive.js';
import { ask } from './ask.js';

let dir: string;
let sock: string;
let daemon: Daemon;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bx-create-'));
  sock = join(dir, 'docker.sock');
  const engine = await Engine.open({ root: join(dir, 'root') });
  daemon = await Daemon.start(engine, { hosts: [{ kind: 'unix', path: sock }], log: () => {} });
});

afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('imports the body and answers {"status": ID}; the image is tagged as asked', async () => {
  const body = await layerTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/f', content: 'x\n' }]);
  const a = await ask(sock, 'POST', '/v1.41/images/create?fromSrc=-&repo=flat&tag=1', { body, headers: { 'Content-Type': 'application/x-tar' } });
  expect(a.status).toBe(200);
  const id = (JSON.parse(a.body) as { status: string }).status;
  expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
  const inspect = await ask(sock, 'GET', '/v1.41/images/flat:1/json');
  expect((JSON.parse(inspect.body) as { Id: string; Comment: string })).toMatchObject({ Id: id, Comment: 'Imported from -' });
});

it('answers a change it refuses with 400 and the words, not a stream', async () => {
  const body = await layerTar([{ name: 'f', content: 'x' }]);
  const a = await ask(sock, 'POST', `/v1.41/images/create?fromSrc=-&changes=${encodeURIComponent('RUN x')}`, { body });
  expect([a.status, JSON.parse(a.body)]).toEqual([400, { message: 'run is not a valid change command' }]);
});

it('refuses a pull without looking up any registry, naming the one Docker would ask', async () => {
  const a = await ask(sock, 'POST', '/v1.41/images/create?fromImage=nosuch&tag=latest');
  expect(a.status).toBe(500);
  expect((JSON.parse(a.body) as { message: string }).message).toMatch(/^Get "https:\/\/registry-1\.docker\.io\/v2\/": boxlab daemon pulls from no registry/);
  const b = await ask(sock, 'POST', '/v1.41/images/create?fromImage=myreg.test:5000/app&tag=2');
  expect((JSON.parse(b.body) as { message: string }).message).toMatch(/^Get "https:\/\/myreg\.test:5000\/v2\/": .* myreg\.test:5000\/app:2 /);
});
