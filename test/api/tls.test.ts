/**
 * `boxlab daemon --tlsverify` with certificates made by openssl as "Protect the Docker daemon
 * socket" documents: the docker CLI with --tlsverify and the client certificate gets in; no client
 * certificate, one from another CA, an expired one, and the server's own certificate (serverAuth
 * only) used as a client's are refused at the handshake: no request reaches the API.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { describeWithTool, needTool } from '../support/tools.js';

const run = promisify(execFile);

/** Docker's recipe, with 2048-bit keys and no passphrase (a test's certificates). */
function makeCerts(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => {
    ssl('genrsa', '-out', `${name}-key.pem`, '2048');
    ssl('req', '-new', '-x509', '-days', '365', '-key', `${name}-key.pem`, '-sha256', '-out', `${name}.pem`, '-subj', `/CN=${name}`);
  };
  const sign = (key: string, cert: string, cn: string, ext: string, caName: string, days = '365') => {
    ssl('genrsa', '-out', key, '2048');
    ssl('req', '-subj', `/CN=${cn}`, '-sha256', '-new', '-key', key, '-out', `${cert}.csr`);
    writeFileSync(join(dir, `${cert}.ext`), ext);
    ssl('x509', '-req', '-days', days, '-sha256', '-in', `${cert}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}-key.pem`, '-CAcreateserial', '-out', cert, '-extfile', `${cert}.ext`);
  };
  ca('ca');
  ca('other-ca');
  sign('server-key.pem', 'server-cert.pem', 'localhost', 'subjectAltName = DNS:localhost,IP:127.0.0.1\nextendedKeyUsage = serverAuth\n', 'ca');
  sign('key.pem', 'cert.pem', 'client', 'extendedKeyUsage = clientAuth\n', 'ca');
  sign('other-key.pem', 'other-cert.pem', 'client', 'extendedKeyUsage = clientAuth\n', 'other-ca');
  sign('expired-key.pem', 'expired-cert.pem', 'client', 'extendedKeyUsage = clientAuth\n', 'ca', '-1');
}

describeWithTool([needTool('openssl', 'apt-get install openssl'), needTool('docker', 'apt-get install docker.io')], 'boxlab daemon --tlsverify', () => {
  let dir: string;
  let daemon: Daemon;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bx-tls-'));
    makeCerts(dir);
    const engine = await Engine.open({ root: join(dir, 'root') });
    daemon = await Daemon.start(engine, {
      hosts: [{ kind: 'tcp', host: '127.0.0.1', port: 0 }],
      tls: { ca: join(dir, 'ca.pem'), cert: join(dir, 'server-cert.pem'), key: join(dir, 'server-key.pem') },
      tlsVerify: true,
      log: () => {},
    });
    port = (daemon.addresses()[0] as AddressInfo).port;
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Connects with these client credentials and asks for /_ping: the answer's first line, or how it was refused. */
  function attempt(creds: { cert?: string; key?: string }): Promise<string> {
    return new Promise((resolve) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: readFileSync(join(dir, 'ca.pem')),
        ...(creds.cert ? { cert: readFileSync(join(dir, creds.cert)), key: readFileSync(join(dir, creds.key!)) } : {}),
      });
      let data = '';
      s.on('secureConnect', () => s.write('GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      s.on('data', (d: Buffer) => (data += d.toString()));
      s.on('error', (e) => resolve(`refused: ${e.message}`));
      s.on('close', () => resolve(data ? data.split('\r\n')[0]! : 'refused: closed'));
    });
  }

  it('lets the docker CLI in with --tlsverify and the client certificate the CA signed', async () => {
    const { stdout } = await run('docker', [
      '--tlsverify',
      `--tlscacert=${join(dir, 'ca.pem')}`,
      `--tlscert=${join(dir, 'cert.pem')}`,
      `--tlskey=${join(dir, 'key.pem')}`,
      '-H',
      `tcp://127.0.0.1:${port}`,
      'version',
      '--format',
      '{{.Server.Platform.Name}} {{.Server.APIVersion}}',
    ]);
    expect(stdout.trim()).toBe('boxlab 1.41');
    expect(await attempt({ cert: 'cert.pem', key: 'key.pem' })).toBe('HTTP/1.1 200 OK');
  });

  it('refuses at the handshake a client without a certificate, with one from another CA, an expired one, or a server-only one', async () => {
    const tries = {
      none: await attempt({}),
      otherCa: await attempt({ cert: 'other-cert.pem', key: 'other-key.pem' }),
      expired: await attempt({ cert: 'expired-cert.pem', key: 'expired-key.pem' }),
      serverOnly: await attempt({ cert: 'server-cert.pem', key: 'server-key.pem' }),
    };
    for (const [what, outcome] of Object.entries(tries)) expect(outcome, what).toMatch(/^refused: /);
  });

  it('refuses the docker CLI without a client certificate', async () => {
    const r = await run('docker', ['--tlsverify', `--tlscacert=${join(dir, 'ca.pem')}`, '-H', `tcp://127.0.0.1:${port}`, 'version'], {}).catch((e: { stderr: string }) => e);
    expect('stderr' in r ? r.stderr : '').toMatch(/certificate required|bad certificate|remote error/);
  });
});

it('refuses to listen on a non-loopback TCP address without --tlsverify, saying why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bx-tcp-'));
  try {
    const engine = await Engine.open({ root: join(dir, 'root') });
    await expect(Daemon.start(engine, { hosts: [{ kind: 'tcp', host: '0.0.0.0', port: 0 }], log: () => {} })).rejects.toThrow(
      /refusing to listen on tcp:\/\/0\.0\.0\.0:0 without --tlsverify: anyone who can reach that address would control the daemon/,
    );
    const local = await Daemon.start(engine, { hosts: [{ kind: 'tcp', host: '127.0.0.1', port: 0 }], log: () => {} });
    await local.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
