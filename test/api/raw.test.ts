/**
 * Raw Engine API answers, boxlab's daemon beside the run's private dockerd (20.10): the same request
 * gets the same status, content type and body. Requests that change nothing on the shared daemon, or
 * only tags made here; the Server header is each daemon's own.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { dockerd, dockerHost, docker } from '../oracle/docker.js';
import { describeWithTool } from '../support/tools.js';
import { ask, type Answer } from './ask.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');

/** What must be equal: status, content type, the API headers, the body. */
function shape(a: Answer): Record<string, unknown> {
  return {
    status: a.status,
    type: a.headers['content-type'],
    location: a.headers.location,
    apiVersion: a.headers['api-version'],
    ostype: a.headers.ostype,
    experimental: a.headers['docker-experimental'],
    cache: a.headers['cache-control'],
    pragma: a.headers.pragma,
    body: a.body,
  };
}

const TAR = { 'Content-Type': 'application/x-tar' };

const CASES: [string, string, { body?: string; headers?: Record<string, string> }?][] = [
  ['GET', '/_ping'],
  ['HEAD', '/_ping'],
  ['GET', '/v1.41/_ping'],
  ['GET', '/v1.41/nosuch'],
  ['POST', '/v1.41/version'],
  ['HEAD', '/v1.41/images/json'],
  ['GET', '/v1.11/version'],
  ['GET', '/v1.99/version'],
  ['GET', '/v1.11/nosuch'],
  ['GET', '/v1.41/images/nosuch/json'],
  ['GET', '/v1.41/images/nosuch:1/json'],
  ['GET', '/images/a%2Fb/json'],
  ['GET', '/v1.41/images/a%00b/json'],
  ['DELETE', '/v1.41/images/a%00b'],
  ['DELETE', '/v1.41/images/Bad'],
  ['DELETE', '/v1.41/images/'],
  ['DELETE', '/v1.41/images/nosuch?force=1'],
  ['GET', '/v1.41/images/a%2F..%2Fb/json'],
  ['GET', '/v1.41/images/../x/json'],
  ['GET', '/v1.41//images/json?all=1'],
  ['GET', '/v1.41/images/json/'],
  ['GET', '/v1.41/images/json?filters=%7B%22nosuch%22%3A%5B%22x%22%5D%7D'],
  ['GET', '/v1.41/images/json?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D'],
  ['GET', '/v1.41/images/json?filters=%7B%22before%22%3A%5B%22nosuch%22%5D%7D'],
  ['GET', '/v1.41/images/json?filters=%7B%22reference%22%3A%5B%22nomatch-raw-*%22%5D%7D'],
  ['GET', '/v1.41/images/json?all=1;x=2'],
  ['GET', '/v1.41/images/nosuch/history'],
  ['POST', '/v1.41/images/nosuch/tag?repo=a'],
  ['POST', '/v1.41/images/dk-build/tag'],
  ['POST', '/v1.41/images/dk-build/tag?repo=Bad'],
  ['POST', '/v1.41/images/dk-build/tag?repo=raw-test&tag=b:c'],
  ['POST', '/v1.41/images/dk-build/tag?repo=sha256&tag=x'],
  ['GET', '/v1.41/images/get?names=nosuch:1'],
  ['GET', '/v1.41/images/get?names=nosuch'],
  ['GET', '/v1.41/images/nosuch/get'],
  ['GET', '/v1.41/events?since=abc'],
  ['GET', '/v1.41/events?since=10&until=5'],
  ['GET', '/v1.41/events?since=1&until=2'],
  ['POST', '/v1.41/images/prune?filters=%7B%22nosuch%22%3A%5B%22x%22%5D%7D'],
  ['POST', '/v1.41/images/prune?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D'],
];

describeWithTool(dockerd(), 'raw Engine API answers: boxlab daemon as dockerd', () => {
  let dir: string;
  let daemon: Daemon;
  let boxSock: string;
  let dockSock: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bx-raw-'));
    boxSock = join(dir, 'docker.sock');
    dockSock = dockerHost().slice('unix://'.length);
    const engine = await Engine.open({ root: join(dir, 'root') });
    await engine.images.load(ARCHIVE);
    daemon = await Daemon.start(engine, { hosts: [{ kind: 'unix', path: boxSock }], log: () => {} });
    await docker(['load', '-q', '-i', ARCHIVE]);
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [method, path, opts] of CASES)
    it(`${method} ${path}`, async () => {
      const [d, b] = await Promise.all([ask(dockSock, method, path, opts), ask(boxSock, method, path, opts)]);
      expect(shape(b)).toEqual(shape(d));
    });

  it('reports a bad or empty archive inside a 200 answer, as a JSON message with errorDetail (the words are each loader\'s)', async () => {
    const answers = await Promise.all(
      ['not a tar at all', ''].flatMap((body) => [dockSock, boxSock].map((s) => ask(s, 'POST', '/v1.41/images/load?quiet=1', { body, headers: TAR }))),
    );
    for (const a of answers) {
      expect(a.status).toBe(200);
      const msg = JSON.parse(a.body) as { error: string; errorDetail: { message: string } };
      expect(msg.errorDetail.message).toBe(msg.error);
    }
  });

  it('answers an oversized header (beyond Go\'s 1 MB) with 431, as dockerd', async () => {
    const big = { 'X-Big': 'x'.repeat(1 << 21) };
    const [d, b] = await Promise.all([dockSock, boxSock].map((s) => ask(s, 'GET', '/_ping', { headers: big }).catch((e: Error) => e.message)));
    expect(typeof b === 'string' ? b : b!.status).toEqual(typeof d === 'string' ? d : d!.status);
  });

  it('unix socket is mode 0660, as dockerd makes it', () => {
    expect(statSync(boxSock).mode & 0o777).toBe(0o660);
    expect(statSync(dockSock).mode & 0o777).toBe(0o660);
  });
});
