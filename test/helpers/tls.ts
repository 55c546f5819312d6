/**
 * Certificates for TLS tests, good and deliberately bad, made with src/tls/ (node-forge): a Docker set
 * (CA, server, client), a client of another CA, an expired client, and a certificate for servers only.
 * Keys are 2048 bits, not the recipe's 4096: the size plays no part in what is accepted or refused, and
 * a loaded machine makes 2048-bit keys several times faster.
 *
 *   const set = await testTlsSet();
 *   const dir = writeClientDir(tmp, set.ca, await expiredClient(set.ca));   // a DOCKER_CERT_PATH
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect as tlsConnect } from 'node:tls';
import forge from 'node-forge';
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

/**
 * Docker's own recipe, "Create a CA, server and client keys with OpenSSL"
 * (docs.docker.com/engine/security/protect-access/), run by the real openssl into `dir`: the control
 * that boxlab's certificates are measured against. Made non-interactive and nothing else: the CA's
 * subject is given by -subj instead of prompts, and its key's passphrase by -passout/-passin. $HOST is
 * `host`, and the SANs are DNS:$HOST and IP:127.0.0.1 (the page's example adds a LAN address).
 */
export const OPENSSL_RECIPE = `set -e
cd "$1"; HOST="$2"; BITS="$3"; PASS=pass:boxlab-test
openssl genrsa -aes256 -passout $PASS -out ca-key.pem $BITS
openssl req -new -x509 -days 365 -key ca-key.pem -passin $PASS -sha256 -subj "/CN=openssl recipe CA" -out ca.pem
openssl genrsa -out server-key.pem $BITS
openssl req -subj "/CN=$HOST" -sha256 -new -key server-key.pem -out server.csr
echo subjectAltName = DNS:$HOST,IP:127.0.0.1 >> extfile.cnf
echo extendedKeyUsage = serverAuth >> extfile.cnf
openssl x509 -req -days 365 -sha256 -in server.csr -CA ca.pem -CAkey ca-key.pem -passin $PASS \\
  -CAcreateserial -out server-cert.pem -extfile extfile.cnf
openssl genrsa -out key.pem $BITS
openssl req -subj '/CN=client' -new -key key.pem -out client.csr
echo extendedKeyUsage = clientAuth > extfile-client.cnf
openssl x509 -req -days 365 -sha256 -in client.csr -CA ca.pem -CAkey ca-key.pem -passin $PASS \\
  -CAcreateserial -out cert.pem -extfile extfile-client.cnf
rm client.csr server.csr extfile.cnf extfile-client.cnf
chmod 0400 ca-key.pem key.pem server-key.pem
chmod 0444 ca.pem server-cert.pem cert.pem
`;

/** Run OPENSSL_RECIPE into `dir` (made if missing); rejects with openssl's stderr if a step fails. */
export async function opensslRecipe(dir: string, host = 'localhost', bits = TEST_BITS): Promise<string> {
  mkdirSync(dir, { recursive: true });
  try {
    await promisify(execFile)('sh', ['-c', OPENSSL_RECIPE, 'sh', dir, host, String(bits)]);
  } catch (e) {
    throw new Error(`the openssl recipe failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
  return dir;
}

/** A certificate and its (unencrypted) key read back from PEM files, e.g. to sign more with a CA on disk. */
export function readCredential(certFile: string, keyFile: string): Credential {
  return {
    cert: forge.pki.certificateFromPem(readFileSync(certFile, 'utf8')),
    key: forge.pki.privateKeyFromPem(readFileSync(keyFile, 'utf8')) as forge.pki.rsa.PrivateKey,
  };
}
