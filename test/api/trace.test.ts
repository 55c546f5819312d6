import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../src/api/daemon.js';
import { tracingRequests } from '../../src/api/trace.js';
import { Engine } from '../../src/engine/engine.js';

const dirs: string[] = [];
afterEach(() => {
  delete process.env.BOXLAB_TRACE_REQUESTS;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function request(sock: string, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: sock, method, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function daemonLogging(env: string | undefined): Promise<{ lines: string[]; sock: string; daemon: Daemon }> {
  if (env !== undefined) process.env.BOXLAB_TRACE_REQUESTS = env;
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'bx-trace-'));
  dirs.push(dir);
  const lines: string[] = [];
  const sock = join(dir, 'docker.sock');
  const daemon = await Daemon.start(await Engine.open({ root: join(dir, 'root') }), { hosts: [{ kind: 'unix', path: sock }], log: (l) => lines.push(l) });
  return { lines, sock, daemon };
}

describe('request tracing in the daemon', () => {
  it('logs each request with its status and time when BOXLAB_TRACE_REQUESTS=1', async () => {
    const { lines, sock, daemon } = await daemonLogging('1');
    try {
      expect(await request(sock, 'HEAD', '/_ping')).toBe(200);
      expect(await request(sock, 'GET', '/v1.41/containers/nosuch/json')).toBe(404);
    } finally {
      await daemon.stop();
    }
    const traced = lines.filter((l) => l.startsWith('trace '));
    expect(traced).toHaveLength(2);
    expect(traced[0]).toMatch(/^trace @\d+\.\d\d HEAD \/_ping 200 \d+\.\d\d ms$/);
    expect(traced[1]).toMatch(/^trace @\d+\.\d\d GET \/v1\.41\/containers\/nosuch\/json 404 \d+\.\d\d ms$/);
  });

  it('is off by default and with 0', async () => {
    expect(tracingRequests({})).toBe(false);
    expect(tracingRequests({ BOXLAB_TRACE_REQUESTS: '0' })).toBe(false);
    const { lines, sock, daemon } = await daemonLogging(undefined);
    try {
      await request(sock, 'HEAD', '/_ping');
    } finally {
      await daemon.stop();
    }
    expect(lines.filter((l) => l.startsWith('trace '))).toEqual([]);
  });
});
