/**
 * The daemon under bad input, many clients, restarts and a kill: a client that hangs up mid-load
 * leaves the store as it was; concurrent loads, tags, removals and listings lose no tag and break
 * nothing; a restart (SIGTERM: the socket file goes) keeps every image and tag; SIGKILL during a
 * load leaves the store as it was before that load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { dockerArchive, layerTar, snapshotTree } from '../helpers/archive.js';
import { ask } from './ask.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const TAR = { 'Content-Type': 'application/x-tar' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function inProcess(): Promise<{ engine: Engine; sock: string; root: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bx-rob-'));
  const root = join(dir, 'root');
  const engine = await Engine.open({ root });
  const sock = join(dir, 'docker.sock');
  const d = await Daemon.start(engine, { hosts: [{ kind: 'unix', path: sock }], log: () => {} });
  cleanups.push(async () => {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { engine, sock, root };
}

/** What the store holds, apart from staging and the lock: the files and their bytes. */
function storeState(root: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshotTree(root)).filter(([p]) => !p.startsWith('tmp/') && p !== 'tmp' && p !== 'lock'));
}

/** A `boxlab daemon` process (the CLI through tsx), resolved once it prints `API listen on`. */
async function processDaemon(root: string, sock: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'daemon', '--root', root, '-H', `unix://${sock}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes(`API listen on ${sock}`)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`daemon exited ${code}: ${log}`)));
  });
  cleanups.push(() => void child.kill('SIGKILL'));
  return child;
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', (code, sig) => r(code ?? (sig ? -1 : null)))));

it('leaves the store as it was when a client hangs up in the middle of a load', async () => {
  const { sock, root, engine } = await inProcess();
  await engine.images.load(ARCHIVE);
  const before = storeState(root);
  const archive = readFileSync(ARCHIVE);
  await new Promise<void>((resolve) => {
    const s = connect(sock, () => {
      s.write(`POST /v1.41/images/load?quiet=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-tar\r\nContent-Length: ${archive.length}\r\n\r\n`);
      s.write(archive.subarray(0, archive.length >> 1), () => setTimeout(() => (s.destroy(), resolve()), 200));
    });
  });
  // the daemon still answers, and nothing of the half load is in the store
  expect((await ask(sock, 'GET', '/_ping')).body).toBe('OK');
  await new Promise((r) => setTimeout(r, 300));
  expect(storeState(root)).toEqual(before);
});

it('loses no tag and keeps the store whole under concurrent loads, tags, removals and listings', async () => {
  const { sock, engine } = await inProcess();
  const archives = await Promise.all([1, 2, 3].map(async (i) => dockerArchive([await layerTar([{ name: `f${i}`, content: `${i}`.repeat(1000) }])], `c/img${i}:1`)));
  const loaded = await Promise.all(archives.map((a) => ask(sock, 'POST', '/v1.41/images/load?quiet=1', { body: a, headers: TAR })));
  expect(loaded.map((a) => a.body).sort()).toEqual([1, 2, 3].map((i) => `{"stream":"Loaded image: c/img${i}:1\\n"}\n`));
  const tags = Array.from({ length: 24 }, (_, i) => ask(sock, 'POST', `/v1.41/images/c/img${(i % 3) + 1}:1/tag?repo=t/n${i}&tag=x`));
  const lists = Array.from({ length: 6 }, () => ask(sock, 'GET', '/v1.41/images/json'));
  const answers = await Promise.all([...tags, ...lists]);
  expect(answers.slice(0, 24).map((a) => a.status)).toEqual(Array(24).fill(201));
  const removes = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(sock, 'DELETE', `/v1.41/images/t/n${i * 2}:x`)));
  expect(removes.map((a) => a.status)).toEqual(Array(12).fill(200));
  const listed = (await engine.images.list()).flatMap((i) => i.tags).sort();
  const expected = [...[1, 2, 3].map((i) => `c/img${i}:1`), ...Array.from({ length: 12 }, (_, i) => `t/n${i * 2 + 1}:x`)].sort();
  expect(listed).toEqual(expected);
  for (const img of await engine.images.list()) expect((await engine.images.history(img.id)).length).toBeGreaterThan(0);
});

it('keeps every image and tag across a restart, and removes its socket on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bx-restart-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  const sock = join(dir, 'd.sock');
  const first = await processDaemon(root, sock);
  expect((await ask(sock, 'POST', '/v1.41/images/load?quiet=1', { body: readFileSync(ARCHIVE), headers: TAR })).body).toContain('Loaded image: dk-build:latest');
  expect((await ask(sock, 'POST', '/v1.41/images/dk-build/tag?repo=keep/me&tag=1')).status).toBe(201);
  const before = (await ask(sock, 'GET', '/v1.41/images/json')).body;
  first.kill('SIGTERM');
  expect(await exited(first)).toBe(0);
  expect(existsSync(sock)).toBe(false);
  await processDaemon(root, sock);
  expect((await ask(sock, 'GET', '/v1.41/images/json')).body).toBe(before);
  expect(JSON.parse((await ask(sock, 'GET', '/v1.41/images/keep/me:1/json')).body).RepoTags).toEqual(['keep/me:1', 'dk-build:latest']); // the reference store's order: docker.io/keep before docker.io/library
});

it('leaves the store as it was before a load that SIGKILL interrupted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bx-kill-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  const sock = join(dir, 'd.sock');
  const daemon = await processDaemon(root, sock);
  await ask(sock, 'POST', '/v1.41/images/load?quiet=1', { body: readFileSync(ARCHIVE), headers: TAR });
  const before = storeState(root);
  // a big layer, sent slowly: the kill lands while the daemon is staging it
  const big = await dockerArchive([await layerTar([{ name: 'big', content: 'x'.repeat(8 << 20) }])], 'big:1');
  const s = connect(sock);
  s.write(`POST /v1.41/images/load?quiet=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-tar\r\nContent-Length: ${big.length}\r\n\r\n`);
  s.write(big.subarray(0, big.length - 4096));
  s.on('error', () => {});
  await new Promise((r) => setTimeout(r, 500));
  daemon.kill('SIGKILL');
  await exited(daemon);
  s.destroy();
  expect(storeState(root)).toEqual(before);
  // a new daemon serves the same images, and collects the dead load's staging on its first prune
  await processDaemon(root, sock);
  expect(JSON.parse((await ask(sock, 'GET', '/v1.41/images/json')).body).map((i: { RepoTags: string[] }) => i.RepoTags)).toEqual([['dk-build:latest']]);
  await ask(sock, 'POST', '/v1.41/images/prune');
  expect(snapshotTree(join(root, 'tmp'))).toEqual({});
});
