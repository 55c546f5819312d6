/**
 * Volumes through the daemon: the raw answers of the volume router beside the run's private dockerd,
 * the attempts a hostile container makes to leave a bind mount or a volume (through the real docker
 * CLI against boxlab's daemon), and a volume's bytes surviving a `kill -9` of the daemon.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { childEnv, MAIN } from '../cli/run.js';
import { dockerd, dockerHost } from '../oracle/docker.js';
import { describeWithTool, needTool } from '../support/tools.js';
import { ask } from './ask.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const JSON_CT = { 'Content-Type': 'application/json' };

/** `docker ARGS` against a daemon's socket; never throws for a non-zero exit. */
function dockerAt(sock: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CLI_HINTS: 'false' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

const CASES: [string, string, { body?: string; headers?: Record<string, string> }?][] = [
  ['GET', '/v1.41/volumes/nope'],
  ['GET', '/v1.41/volumes/nope/json'],
  ['DELETE', '/v1.41/volumes/nope'],
  ['DELETE', '/v1.41/volumes/nope?force=1'],
  ['POST', '/v1.41/volumes/create', { body: '{"Name":"bad/name"}', headers: JSON_CT }],
  ['POST', '/v1.41/volumes/create', { body: '{"Name":"a"}', headers: JSON_CT }],
  ['POST', '/v1.41/volumes/create', { body: '{"Name":"bx-api-x","Driver":"other"}', headers: JSON_CT }],
  ['POST', '/v1.41/volumes/create', { body: '{"Name":"bx-api-y"}', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }],
  ['GET', '/v1.41/volumes?filters=%7B%22bogus%22%3A%7B%221%22%3Atrue%7D%7D'],
  ['GET', '/v1.41/volumes?filters=%7B%22dangling%22%3A%7B%22maybe%22%3Atrue%7D%7D'],
  ['POST', '/v1.41/volumes/prune?filters=%7B%22name%22%3A%7B%22p%22%3Atrue%7D%7D'],
];

describeWithTool(dockerd(), 'volume API answers: boxlab daemon as dockerd', () => {
  let dir: string;
  let daemon: Daemon;
  let boxSock: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(join(tmpdir(), 'bx-volapi-'));
    boxSock = join(dir, 'docker.sock');
    daemon = await Daemon.start(await Engine.open({ root: join(dir, 'root') }), { hosts: [{ kind: 'unix', path: boxSock }], log: () => {} });
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [method, path, opts] of CASES)
    it(`${method} ${path} ${opts?.body ?? ''}`, async () => {
      const real = await ask(dockerHost().slice('unix://'.length), method, path, opts);
      const ours = await ask(boxSock, method, path, opts);
      expect({ status: ours.status, body: ours.body }).toEqual({ status: real.status, body: real.body });
    });
});

describeWithTool(needTool('docker', 'apt-get install docker.io'), 'a hostile container in a bind mount or a volume', () => {
  let dir: string;
  let daemon: Daemon;
  let sock: string;
  let bound: string;
  let secret: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(join(tmpdir(), 'bx-volesc-'));
    sock = join(dir, 'docker.sock');
    bound = join(dir, 'bound');
    secret = join(dir, 'secret');
    fs.mkdirSync(bound);
    fs.mkdirSync(secret);
    fs.writeFileSync(join(secret, 'key'), 'SECRET');
    const engine = await Engine.open({ root: join(dir, 'root') });
    await engine.images.load(ARCHIVE);
    daemon = await Daemon.start(engine, { hosts: [{ kind: 'unix', path: sock }], log: () => {} });
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const untouched = () => {
    expect(fs.readdirSync(secret)).toEqual(['key']);
    expect(fs.readFileSync(join(secret, 'key'), 'utf8')).toBe('SECRET');
  };

  it('links to /, .., the host path and the sibling resolve in the container, and writes through them stay in', async () => {
    const script = [
      'ln -s / /b/up', 'ln -s ../../../../../.. /b/rel', `ln -s ${secret} /b/abs`, 'ln -s ../secret /b/sib',
      'echo pwn > /b/up/pwned', 'echo pwn > /b/rel/pwned2', 'echo pwn > /b/abs/key', 'echo pwn > /b/sib/key',
      'ls /b/up/srv/site', 'cat /b/abs/key', 'ls /b/up/pwned /pwned2',
    ].join('; ');
    const r = await dockerAt(sock, ['run', '--rm', '-v', `${bound}:/b`, 'dk-build', 'sh', '-c', script]);
    expect(r.stdout).toBe('index.html\n/b/up/pwned\n/pwned2\n');
    expect(r.stderr).toContain(`sh: can't create /b/abs/key: nonexistent directory`);
    expect(r.stderr).toContain(`cat: can't open '/b/abs/key': No such file or directory`);
    // the links are real, on the host
    expect(fs.readlinkSync(join(bound, 'up'))).toBe('/');
    expect(fs.existsSync('/pwned2')).toBe(false);
    untouched();
  }, 60_000);

  it('writes through a dangling link into the container, fails a loop with ELOOP, and binds a symlinked source where it pointed', async () => {
    // a dangling link naming the host's secret dir: its target is made in the container, never on the host
    const script = [
      `ln -s ${secret}/new /b/dang`, 'echo pwn > /b/dang',
      'ln -s ../../../../../../tmp/bx-escaped-by-dangling /b/dang2', 'echo made > /b/dang2', 'cat /tmp/bx-escaped-by-dangling',
      'ln -s /b/loop2 /b/loop1', 'ln -s /b/loop1 /b/loop2', 'cat /b/loop1', 'echo x > /b/loop2',
    ].join('; ');
    const r = await dockerAt(sock, ['run', '--rm', '-v', `${bound}:/b`, 'dk-build', 'sh', '-c', script]);
    expect(r.stdout).toBe('made\n');
    expect(r.stderr).toContain("sh: can't create /b/dang: nonexistent directory");
    expect(r.stderr).toContain("cat: can't open '/b/loop1': Too many levels of symbolic links");
    expect(r.stderr).toContain("sh: can't create /b/loop2: Too many levels of symbolic links");
    expect(fs.existsSync(join(secret, 'new'))).toBe(false);
    expect(fs.existsSync('/tmp/bx-escaped-by-dangling')).toBe(false);
    untouched();
    // a bind source that is a symlink: mounted where it pointed at start, the link itself left alone
    const link = join(dir, 'link-to-bound');
    fs.symlinkSync(bound, link);
    const l = await dockerAt(sock, ['run', '--rm', '-v', `${link}:/l`, 'dk-build', 'sh', '-c', 'echo via > /l/via-link; ls /l/via-link']);
    expect(l.stdout).toBe('/l/via-link\n');
    expect(fs.readFileSync(join(bound, 'via-link'), 'utf8')).toBe('via\n');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    untouched();
  }, 60_000);

  it('refuses a hardlink out of a volume or a bind, and a volume`s links to / stay in the container', async () => {
    const r = await dockerAt(sock, ['run', '--rm', '-v', `${bound}:/b`, '-v', 'esc:/v', 'dk-build', 'sh', '-c', 'ln /srv/site/index.html /b/pw; ln /b/up /v/x; ln -s / /v/root; ls /v/root/srv']);
    expect(r.stdout).toBe('site\n');
    expect(r.stderr).toContain("ln: /b/pw: Invalid cross-device link");
    expect(fs.existsSync(join(bound, 'pw'))).toBe(false);
    untouched();
  }, 60_000);
});

describeWithTool(needTool('docker', 'apt-get install docker.io'), 'a volume across a kill -9 of the daemon', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  const startDaemon = async (sock: string): Promise<ChildProcess> => {
    const c = spawn(process.execPath, ['--import', 'tsx', MAIN, 'daemon', '--root', join(dir, 'root'), '-H', `unix://${sock}`], { env: childEnv(), stdio: 'ignore' });
    for (let i = 0; i < 120; i++) {
      if ((await dockerAt(sock, ['version'])).code === 0) return c;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('boxlab daemon did not answer');
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(join(tmpdir(), 'bx-volkill-'));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every write that returned', async () => {
    const sock = join(dir, 'a.sock');
    child = await startDaemon(sock);
    expect((await dockerAt(sock, ['load', '-q', '-i', ARCHIVE])).code).toBe(0);
    const w = await dockerAt(sock, ['run', '--name', 'writer', '-v', 'durable:/v', 'dk-build', 'sh', '-c', 'echo written > /v/f; mkdir /v/d; echo deep > /v/d/g']);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const sock2 = join(dir, 'b.sock');
    child = await startDaemon(sock2);
    const r = await dockerAt(sock2, ['run', '--rm', '-v', 'durable:/v', 'dk-build', 'sh', '-c', 'cat /v/f /v/d/g']);
    expect(r.stdout).toBe('written\ndeep\n');
    expect((await dockerAt(sock2, ['volume', 'rm', 'durable'])).stderr).toMatch(/^Error response from daemon: remove durable: volume is in use - \[[0-9a-f]{64}\]/);
  }, 120_000);
});
