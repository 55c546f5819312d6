import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TLS_FILE_NAMES } from '../../src/tls/index.js';
import { boxlab } from './real.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlab-tls-cli-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** `boxlab tls init ...` with 2048-bit keys (the size is not what these tests are about). */
const init = (...args: string[]) => boxlab('tls', 'init', '--bits', '2048', ...args);
const read = (dir: string) => Object.fromEntries(TLS_FILE_NAMES.map((n) => [n, fs.readFileSync(path.join(dir, n), 'utf8')]));

describe('boxlab tls init', () => {
  const dir = path.join(work, 'certs');
  let first: Record<string, string>;

  it('writes the six files and says how to serve and how to connect, both ways', async () => {
    const r = await init(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual([...TLS_FILE_NAMES].sort());
    expect(r.stdout).toMatch(/^Wrote to .*certs \(keys 0400, certificates 0444; valid 365 days, until \d{4}-/);
    for (const n of TLS_FILE_NAMES) expect(r.stdout).toMatch(new RegExp(`^  ${n} `, 'm'));
    expect(r.stdout).toContain("the daemon's certificate (serverAuth; DNS:localhost, IP:127.0.0.1)");
    expect(r.stdout).toContain(`dockerd --tlsverify --tlscacert=${dir}/ca.pem --tlscert=${dir}/server-cert.pem --tlskey=${dir}/server-key.pem -H tcp://localhost:2376`);
    expect(r.stdout).toContain(`docker --tlsverify --tlscacert=${dir}/ca.pem --tlscert=${dir}/cert.pem --tlskey=${dir}/key.pem -H tcp://localhost:2376 version`);
    expect(r.stdout).toContain(`export DOCKER_HOST=tcp://localhost:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${dir}`);
    first = read(dir);
  });

  it('refuses to replace an existing set, names its files, and leaves them as they were', async () => {
    const r = await init(dir);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(`Error: ${dir} already has ${TLS_FILE_NAMES.join(', ')}; use --force to replace the whole set with a new CA\n`);
    expect(read(dir)).toEqual(first);
  });

  it('replaces the whole set, CA and all, with --force', async () => {
    const r = await init(dir, '--force');
    expect(r.code).toBe(0);
    const now = read(dir);
    for (const n of TLS_FILE_NAMES) expect(now[n], n).not.toBe(first[n]);
  });

  it('names the daemon by each --san, the first in the examples', async () => {
    const other = path.join(work, 'sans');
    const r = await init(other, '--san', 'docker.lab.example', '--san', '10.1.2.3', '--san', 'IP:::1', '--days', '30');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("the daemon's certificate (serverAuth; DNS:docker.lab.example, IP:10.1.2.3, IP:::1)");
    expect(r.stdout).toContain('-H tcp://docker.lab.example:2376');
    expect(r.stdout).toContain('valid 30 days');
    const cert = new X509Certificate(fs.readFileSync(path.join(other, 'server-cert.pem')));
    expect(cert.subjectAltName).toBe('DNS:docker.lab.example, IP Address:10.1.2.3, IP Address:0:0:0:0:0:0:0:1');
  });

  it('puts an IPv6 first --san in brackets in the examples', async () => {
    const r = await init(path.join(work, 'v6'), '--san', '::1');
    expect(r.stdout).toContain('-H tcp://[::1]:2376');
  });

  it('refuses a bad --san, --days or --bits before writing anything', async () => {
    const bad = path.join(work, 'bad');
    expect(await init(bad, '--san', 'not a name')).toMatchObject({ code: 1, stderr: 'Error: invalid --san "not a name": not a DNS name or an IP address: not a name\n' });
    expect(await init(bad, '--san', 'IP:example.com')).toMatchObject({ code: 1, stderr: 'Error: invalid --san "IP:example.com": not an IP address: example.com\n' });
    expect(await init(bad, '--days', '0')).toMatchObject({ code: 1, stderr: 'Error: invalid --days "0": a whole number of days, 1 or more\n' });
    expect((await init(bad, '--days', '1.5')).code).toBe(1);
    expect(await boxlab('tls', 'init', bad, '--bits', '1024')).toMatchObject({ code: 1, stderr: 'Error: invalid --bits "1024": from 2048 to 16384\n' });
    expect(fs.existsSync(bad)).toBe(false);
  });
});
