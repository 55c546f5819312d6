/**
 * Certificates for TLS tests, good and deliberately bad, made with src/tls/ (node-forge): a Docker set
 * (CA, server, client), a client of another CA, an expired client, and a certificate for servers only.
 * Keys are 2048 bits, not the recipe's 4096: the size plays no part in what is accepted or refused, and
 * a loaded machine makes 2048-bit keys several times faster.
 *
 *   const set = await testTlsSet();
 *   const dir = writeClientDir(tmp, set.ca, await expiredClient(set.ca));   // a DOCKER_CERT_PATH
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import {
  certificatePem,
  issue,
  issueClient,
  makeCa,
  makeDockerTls,
  privateKeyPem,
  validFor,
  type Credential,
  type DockerTls,
  type San,
} from '../../src/tls/index.js';

export const TEST_BITS = 2048;

/** A CA, a server certificate (for `sans`, default localhost and 127.0.0.1) and a client certificate. */
export function testTlsSet(sans?: readonly San[]): Promise<DockerTls> {
  return makeDockerTls({ sans, bits: TEST_BITS });
}

/** A client certificate, right in every way but signed by a CA the daemon does not trust. */
export async function otherCaClient(): Promise<{ ca: Credential; client: Credential }> {
  const ca = await makeCa({ commonName: 'another CA', bits: TEST_BITS });
  return { ca, client: await issueClient(ca, { bits: TEST_BITS }) };
}

/** A client certificate from `ca` whose validity ended yesterday (it began the day before). */
export function expiredClient(ca: Credential): Promise<Credential> {
  const notBefore = new Date(Date.now() - 2 * 86_400_000);
  return issueClient(ca, { commonName: 'expired client', validity: validFor(1, notBefore), bits: TEST_BITS });
}

/** A certificate from `ca` with extendedKeyUsage serverAuth only: what a daemon may present, never a client. */
export function serverOnly(ca: Credential): Promise<Credential> {
  return issue(ca, { commonName: 'server only', usages: ['serverAuth'], sans: [{ type: 'dns', value: 'localhost' }], bits: TEST_BITS });
}

/** Write a certificate and its key as `${certName}` and `${keyName}` in dir. */
export function writePair(dir: string, c: Credential, certName: string, keyName: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, certName), certificatePem(c));
  writeFileSync(join(dir, keyName), privateKeyPem(c), { mode: 0o600 });
}

/** A directory a docker CLI can take as DOCKER_CERT_PATH: ca.pem, and cert.pem + key.pem when a client is given. */
export function writeClientDir(dir: string, ca: Credential, client?: Credential): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.pem'), certificatePem(ca));
  if (client) writePair(dir, client, 'cert.pem', 'key.pem');
  return dir;
}

export interface PingOptions {
  readonly host: string;
  readonly port: number;
  /** The CA the client trusts the server by. */
  readonly ca: Credential;
  /** The client's certificate; none when absent. */
  readonly client?: Credential;
}

/**
 * GET /_ping over TLS, as a Docker client would start. Resolves 'ok' once the server answers (with TLS
 * 1.3 the client's handshake completes before the server has checked the client's certificate, so only
 * an answer proves it was accepted), else `CODE: message` of the failure.
 */
export function pingOverTls(o: PingOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: o.host,
      port: o.port,
      // SNI is for names only (RFC 6066 3); an IP is checked against the IP SANs by host.
      servername: isIP(o.host) ? undefined : o.host,
      ca: certificatePem(o.ca),
      cert: o.client && certificatePem(o.client),
      key: o.client && privateKeyPem(o.client),
    });
    let answer = '';
    const done = (r: string) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(10_000, () => done('ETIMEDOUT: no answer'));
    socket.on('secureConnect', () => socket.write(`GET /_ping HTTP/1.1\r\nHost: ${o.host}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('HTTP/1.1 200') ? 'ok' : `HTTP: ${answer.split('\r\n')[0]}`);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => done(`${e.code ?? 'ERROR'}: ${e.message}`));
    socket.on('close', () => done(answer ? `HTTP: ${answer}` : 'ECONNRESET: closed without an answer'));
  });
}
