import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockerTlsFiles, initDockerTls, TLS_FILE_NAMES, writeTlsFiles, type DockerTls, type TlsFile } from '../../src/tls/index.js';
import { TEST_BITS, testTlsSet } from '../helpers/tls.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlab-tls-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const mode = (p: string) => fs.statSync(p).mode & 0o7777;
const listing = (dir: string) => fs.readdirSync(dir).sort();

let set: DockerTls;
let files: TlsFile[];
beforeAll(async () => {
  set = await testTlsSet();
  files = dockerTlsFiles(set);
});

describe('the files of a set', () => {
  it("are named as Docker's recipe names them, keys 0400 and certificates 0444, whatever the umask", async () => {
    const dir = path.join(tmp(), 'certs');
    const old = process.umask(0o077);
    try {
      await writeTlsFiles(dir, files);
    } finally {
      process.umask(old);
    }
    expect(listing(dir)).toEqual([...TLS_FILE_NAMES].sort());
    const modes = Object.fromEntries(TLS_FILE_NAMES.map((n) => [n, mode(path.join(dir, n)).toString(8)]));
    expect(modes).toEqual({ 'ca.pem': '444', 'ca-key.pem': '400', 'server-cert.pem': '444', 'server-key.pem': '400', 'cert.pem': '444', 'key.pem': '400' });
    expect(mode(dir)).toBe(0o700);
  });

  it('hold the PEM of each certificate and key', async () => {
    const dir = tmp();
    await writeTlsFiles(dir, files);
    for (const f of files) expect(fs.readFileSync(path.join(dir, f.name), 'utf8')).toBe(f.pem);
    expect(fs.readFileSync(path.join(dir, 'key.pem'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });

  it('leave other files in the directory alone', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'config.json'), '{}');
    await writeTlsFiles(dir, files);
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('{}');
  });
});

describe('an existing set', () => {
  it('is not replaced, even when only one of its files is there, and nothing is written', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'key.pem'), 'mine');
    await expect(writeTlsFiles(dir, files)).rejects.toMatchObject({ code: 'AlreadyExists', member: 'key.pem' });
    expect(listing(dir)).toEqual(['key.pem']);
    expect(fs.readFileSync(path.join(dir, 'key.pem'), 'utf8')).toBe('mine');
  });

  it('is replaced whole with force, read-only files and all', async () => {
    const dir = tmp();
    await writeTlsFiles(dir, files);
    const other = dockerTlsFiles(await testTlsSet());
    await writeTlsFiles(dir, other, { force: true });
    for (const f of other) expect(fs.readFileSync(path.join(dir, f.name), 'utf8')).toBe(f.pem);
    expect(listing(dir)).toEqual([...TLS_FILE_NAMES].sort());
  });

  it('is refused by initDockerTls before any key is made', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'ca.pem'), 'mine');
    const start = Date.now();
    await expect(initDockerTls(dir, { bits: 16384 })).rejects.toMatchObject({ code: 'AlreadyExists', member: 'ca.pem' });
    // A 16384-bit key takes minutes; refusing takes no time.
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

describe('a write that fails part way', () => {
  it('leaves no file behind when a file cannot be written', async () => {
    const dir = tmp();
    const broken = files.map((f, i) => (i === 3 ? { ...f, mode: -1 } : f));
    await expect(writeTlsFiles(dir, broken)).rejects.toThrow();
    expect(listing(dir)).toEqual([]);
  });

  it('takes back the names it made when a later one turns out to exist', async () => {
    // The same name twice: the second link(2) meets the first, as it would a file made meanwhile.
    const dir = tmp();
    const twice = [...files, { ...files[0]!, pem: 'other' }];
    await expect(writeTlsFiles(dir, twice)).rejects.toMatchObject({ code: 'AlreadyExists', member: 'ca.pem' });
    expect(listing(dir)).toEqual([]);
  });
});

describe('initDockerTls', () => {
  it('writes a set whose certificates are the ones it returns', async () => {
    const dir = tmp();
    const r = await initDockerTls(dir, { bits: TEST_BITS, days: 30 });
    expect(r.paths).toEqual(TLS_FILE_NAMES.map((n) => path.join(dir, n)));
    const days = (r.set.client.cert.validity.notAfter.getTime() - r.set.client.cert.validity.notBefore.getTime()) / 86_400_000;
    expect(days).toBe(30);
  });
});
