/**
 * boxlab's certificates against the real Docker Engine: a private `dockerd --tlsverify` serving the
 * set `boxlab tls init` wrote, the real docker CLI as its client. The control: the same tests pass with
 * certificates Docker's own openssl recipe makes. Each refusal is pinned three ways: what the docker
 * CLI prints and its status, the reason dockerd logs (which tells the refusals apart), and the TLS alert
 * an OpenSSL client gets. test/tls/FACTS.md keeps the figures for boxlab's daemon to be held to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '../../src/tls/index.js';
import { stopDockerd } from '../oracle/daemon.js';
import { describeWithTool, needRoot, needTool } from '../support/tools.js';
import {
  expiredClient,
  opensslRecipe,
  otherCaClient,
  pingOverTls,
  readCredential,
  serverOnly,
  testTlsSet,
  writeClientDir,
} from '../helpers/tls.js';
import { boxlab, DOCKER_CLI_REFUSED as REFUSED, dockerTls, dockerTlsEnv, handshakeErrors, startTlsDockerd, type CliResult, type TlsDockerd } from './real.js';

const REAL = [
  needRoot(),
  needTool('dockerd', 'apt-get install docker.io'),
  needTool('docker', 'apt-get install docker.io'),
  needTool('openssl', 'apt-get install openssl'),
];

const version = ['version', '--format', '{{.Server.Version}}'];
const files = (dir: string) => ({ ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
const accepted = (r: CliResult) => expect(r, r.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/), stderr: '' });

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'boxlab-tls-real-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The daemon refuses `client` (none: no certificate at all): the CLI's words, dockerd's reason, the alert. */
async function expectRefused(d: TlsDockerd, ca: Credential, client: Credential | undefined, reason: RegExp): Promise<void> {
  const dir = writeClientDir(mkdtempSync(join(work, 'client-')), ca, client);
  let flags: CliResult | undefined;
  let env: CliResult | undefined;
  let openssl = '';
  const reasons = await handshakeErrors(d, async () => {
    flags = await dockerTls(d, client ? files(dir) : { ca: join(dir, 'ca.pem') }, ...version);
    env = await dockerTlsEnv(d, dir, ...version);
    openssl = await pingOverTls({ host: '127.0.0.1', port: d.port, ca, client });
  });
  for (const r of [flags, env]) expect(r).toMatchObject({ code: 1, stderr: expect.stringMatching(REFUSED) });
  expect(reasons.length).toBeGreaterThan(0);
  for (const r of reasons) expect(r).toMatch(reason);
  // OpenSSL's client sends its certificate whatever CAs the server names; dockerd's alert is the same.
  expect(openssl).toMatch(/^ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: .*alert bad certificate/);
}

describeWithTool(REAL, "a real dockerd --tlsverify serving boxlab tls init's certificates", () => {
  let certs: string;
  let ca: Credential;
  let d: TlsDockerd;
  beforeAll(async () => {
    certs = join(work, 'boxlab');
    // The command as a user runs it, with its default 4096-bit keys.
    const r = await boxlab('tls', 'init', certs);
    expect(r.code, r.stderr).toBe(0);
    ca = readCredential(join(certs, 'ca.pem'), join(certs, 'ca-key.pem'));
    d = await startTlsDockerd(certs);
  });
  afterAll(async () => {
    if (d) await stopDockerd(d);
  });

  it('lets the real docker CLI in with --tlsverify --tlscacert --tlscert --tlskey', async () => {
    accepted(await dockerTls(d, files(certs), ...version));
  });

  it('lets it in with DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=DIR', async () => {
    accepted(await dockerTlsEnv(d, certs, ...version));
  });

  it('lets in an OpenSSL client too, by 127.0.0.1 and by localhost, over TLS 1.3', async () => {
    expect(await pingOverTls({ host: '127.0.0.1', port: d.port, ca, client: readCredential(join(certs, 'cert.pem'), join(certs, 'key.pem')) })).toBe('ok');
    expect(await pingOverTls({ host: 'localhost', port: d.port, ca, client: readCredential(join(certs, 'cert.pem'), join(certs, 'key.pem')) })).toBe('ok');
  });

  it('refuses a client without a certificate at the handshake', async () => {
    await expectRefused(d, ca, undefined, /^tls: client didn't provide a certificate$/);
  });

  // Go's client sends a certificate only if its issuer is among the CAs the server's CertificateRequest
  // names (crypto/tls, CertificateRequestInfo.SupportsCertificate); from another CA it sends none.
  it('refuses a client certificate from another CA (the CLI withholds it, the CA names differ)', async () => {
    const other = await otherCaClient();
    const reasons = await handshakeErrors(d, async () => {
      const dir = writeClientDir(mkdtempSync(join(work, 'client-')), ca, other.client);
      expect(await dockerTls(d, files(dir), ...version)).toMatchObject({ code: 1, stderr: expect.stringMatching(REFUSED) });
    });
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r).toBe("tls: client didn't provide a certificate");
    // OpenSSL's client sends it all the same, and dockerd finds no CA of its own that signed it.
    const openssl = await handshakeErrors(d, async () => {
      expect(await pingOverTls({ host: '127.0.0.1', port: d.port, ca, client: other.client })).toMatch(/ALERT_BAD_CERTIFICATE/);
    });
    expect(openssl).toEqual(['tls: failed to verify client certificate: x509: certificate signed by unknown authority']);
  });

  it('refuses a client certificate of another boxlab tls init (a CA of the same name) as signed by an unknown authority', async () => {
    await expectRefused(d, ca, (await testTlsSet()).client, /^tls: failed to verify client certificate: x509: certificate signed by unknown authority/);
  });

  it('refuses an expired client certificate', async () => {
    await expectRefused(d, ca, await expiredClient(ca), /^tls: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time \S+ is after \S+$/);
  });

  it('refuses a certificate for servers only (serverAuth) used as a client\'s', async () => {
    await expectRefused(d, ca, await serverOnly(ca), /^tls: failed to verify client certificate: x509: certificate specifies an incompatible key usage$/);
  });

  it("refuses the daemon's own server-cert.pem used as a client's", async () => {
    await expectRefused(d, ca, readCredential(join(certs, 'server-cert.pem'), join(certs, 'server-key.pem')), /incompatible key usage$/);
  });
});

describeWithTool(REAL, "a real dockerd --tlsverify serving certificates made by Docker's openssl recipe (the control)", () => {
  let certs: string;
  let d: TlsDockerd;
  beforeAll(async () => {
    // The recipe's own 4096-bit keys.
    certs = await opensslRecipe(join(work, 'openssl'), 'localhost', 4096);
    d = await startTlsDockerd(certs);
  });
  afterAll(async () => {
    if (d) await stopDockerd(d);
  });

  it('lets the real docker CLI in with --tlsverify and the recipe\'s client certificate', async () => {
    accepted(await dockerTls(d, files(certs), ...version));
  });

  it('lets it in with DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=DIR', async () => {
    accepted(await dockerTlsEnv(d, certs, ...version));
  });

  it('refuses a client without a certificate, as it refuses one for boxlab\'s set', async () => {
    const reasons = await handshakeErrors(d, async () => {
      expect(await dockerTls(d, { ca: join(certs, 'ca.pem') }, ...version)).toMatchObject({ code: 1, stderr: expect.stringMatching(REFUSED) });
    });
    expect(reasons).toContain("tls: client didn't provide a certificate");
  });

  it("refuses boxlab's client certificate, which another CA signed", async () => {
    const set = await testTlsSet();
    const dir = writeClientDir(mkdtempSync(join(work, 'client-')), set.ca, set.client);
    // The recipe's CA to trust the daemon by, boxlab's client certificate to show it.
    expect(await dockerTls(d, { ...files(dir), ca: join(certs, 'ca.pem') }, ...version)).toMatchObject({ code: 1, stderr: expect.stringMatching(REFUSED) });
  });
});

describe('the REFUSED pattern', () => {
  it('matches what the docker CLI printed, and not a success or another failure', () => {
    const got = 'the server probably has client authentication (--tlsverify) enabled; check your TLS client certification settings: Get "https://127.0.0.1:23761/v1.50/version": remote error: tls: bad certificate\n';
    expect(got).toMatch(REFUSED);
    expect(got.replace('bad certificate', 'unknown certificate authority')).not.toMatch(REFUSED);
    expect('Error response from daemon: Client sent an HTTP request to an HTTPS server.\n').not.toMatch(REFUSED);
  });
});
