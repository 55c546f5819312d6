import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  certificatePem,
  DEFAULT_DAYS,
  issueServer,
  parseSan,
  privateKeyPem,
  validFor,
  type Credential,
  type DockerTls,
} from '../../src/tls/index.js';
import { isCode } from '../../src/errors.js';
import { expiredClient, otherCaClient, serverOnly, TEST_BITS, testTlsSet } from '../helpers/tls.js';
import { handshake } from './handshake.js';

// RFC 5280 4.2.1.12 object identifiers, as Node's X509Certificate.keyUsage lists them.
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const x509 = (c: Credential) => new X509Certificate(certificatePem(c));
/** The certificate read back from its PEM, so the tests see what a file holds, not forge's object. */
const reread = (c: Credential) => forge.pki.certificateFromPem(certificatePem(c));
const ext = (c: Credential, name: string) => reread(c).getExtension(name) as Record<string, unknown> | undefined;

let set: DockerTls;
beforeAll(async () => {
  set = await testTlsSet();
});

describe('the CA certificate', () => {
  it('is self-signed and marked a CA by a critical basicConstraints', () => {
    const ca = x509(set.ca);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=boxlab CA');
    expect(ca.issuer).toBe(ca.subject);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ext(set.ca, 'basicConstraints')).toMatchObject({ cA: true, critical: true });
  });

  it('may sign certificates (keyUsage keyCertSign)', () => {
    expect(ext(set.ca, 'keyUsage')).toMatchObject({ keyCertSign: true, cRLSign: true, critical: true });
  });
});

describe('the server certificate', () => {
  it('is for servers only (extendedKeyUsage serverAuth) and signed by the CA', () => {
    const server = x509(set.server);
    expect(server.keyUsage).toEqual([SERVER_AUTH]);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(x509(set.ca))).toBe(true);
    expect(server.verify(x509(set.ca).publicKey)).toBe(true);
  });

  it('names localhost and 127.0.0.1 by default, and nothing else', () => {
    const server = x509(set.server);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('example.com')).toBeUndefined();
    expect(server.subject).toBe('CN=localhost');
  });

  it('names what --san gives, DNS names and IPv4 and IPv6 addresses alike', async () => {
    const sans = ['docker.example', 'IP:10.0.0.5', '::1', 'DNS:*.lab.example'].map(parseSan);
    const server = x509(await issueServer(set.ca, sans, { bits: TEST_BITS }));
    expect(server.subjectAltName).toBe('DNS:docker.example, IP Address:10.0.0.5, IP Address:0:0:0:0:0:0:0:1, DNS:*.lab.example');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.checkHost('a.lab.example')).toBe('*.lab.example');
    expect(server.subject).toBe('CN=docker.example');
  });

  it('may encipher a key and sign (keyUsage), as TLS 1.2 and 1.3 servers need', () => {
    expect(ext(set.server, 'keyUsage')).toMatchObject({ digitalSignature: true, keyEncipherment: true, critical: true });
  });
});

describe('the client certificate', () => {
  it('is for clients only (extendedKeyUsage clientAuth), CN=client as in the recipe, with no SAN', () => {
    const client = x509(set.client);
    expect(client.keyUsage).toEqual([CLIENT_AUTH]);
    expect(client.subject).toBe('CN=client');
    expect(client.subjectAltName).toBeUndefined();
    expect(client.verify(x509(set.ca).publicKey)).toBe(true);
  });
});

describe('every certificate of the set', () => {
  const all = () => [set.ca, set.server, set.client];

  it(`is valid from now for ${DEFAULT_DAYS} days, Docker's -days 365`, () => {
    for (const c of all()) {
      const { validFrom, validTo } = x509(c);
      const from = new Date(validFrom).getTime();
      expect(Math.abs(from - Date.now())).toBeLessThan(120_000);
      expect(new Date(validTo).getTime() - from).toBe(DEFAULT_DAYS * 86_400_000);
    }
  });

  it('has a distinct positive serial of 16 bytes, minimally encoded (Go refuses anything else)', () => {
    const serials = all().map((c) => x509(c).serialNumber);
    for (const s of serials) expect(s).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(new Set(serials).size).toBe(3);
  });

  it('verifies up to the CA with forge, and not up to another CA', async () => {
    const store = forge.pki.createCaStore([certificatePem(set.ca)]);
    for (const c of all()) expect(forge.pki.verifyCertificateChain(store, [reread(c)])).toBe(true);
    const other = forge.pki.createCaStore([certificatePem((await otherCaClient()).ca)]);
    expect(() => forge.pki.verifyCertificateChain(other, [reread(set.client)])).toThrow();
  });

  it('is signed with SHA-256 and an RSA key of the size asked for', () => {
    for (const c of all()) {
      expect(forge.pki.oids[reread(c).siginfo.algorithmOid]).toBe('sha256WithRSAEncryption');
      expect(x509(c).publicKey.asymmetricKeyDetails?.modulusLength).toBe(TEST_BITS);
    }
  });

  it('writes PEM with LF line ends, keys as PKCS#1', () => {
    expect(certificatePem(set.client)).toMatch(/^-----BEGIN CERTIFICATE-----\n[^\r]*-----END CERTIFICATE-----\n$/);
    expect(privateKeyPem(set.client)).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[^\r]*-----END RSA PRIVATE KEY-----\n$/);
  });
});

describe('a TLS handshake through node:tls (OpenSSL) with the set', () => {
  it("lets in the set's client, which accepts the server for 127.0.0.1 and for localhost", async () => {
    expect(await handshake(set, { host: '127.0.0.1', client: set.client })).toBe('ok');
    expect(await handshake(set, { host: 'localhost', client: set.client })).toBe('ok');
  });

  // Node names a missing peer certificate UNABLE_TO_GET_ISSUER_CERT (src/crypto/crypto_tls.cc).
  it('refuses a client without a certificate', async () => {
    expect(await handshake(set, { host: '127.0.0.1' })).toBe('refused: UNABLE_TO_GET_ISSUER_CERT');
  });

  it('refuses a client of another CA', async () => {
    expect(await handshake(set, { host: '127.0.0.1', client: (await otherCaClient()).client })).toBe('refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('refuses an expired client certificate', async () => {
    expect(await handshake(set, { host: '127.0.0.1', client: await expiredClient(set.ca) })).toBe('refused: CERT_HAS_EXPIRED');
  });

  it('refuses a certificate for servers only (serverAuth) used as a client\'s', async () => {
    expect(await handshake(set, { host: '127.0.0.1', client: await serverOnly(set.ca) })).toBe('refused: INVALID_PURPOSE');
    expect(await handshake(set, { host: '127.0.0.1', client: set.server })).toBe('refused: INVALID_PURPOSE');
  });

  it('makes the client refuse a server whose name is not among its SANs', async () => {
    const other = await issueServer(set.ca, [parseSan('elsewhere.example')], { bits: TEST_BITS });
    expect(await handshake({ ...set, server: other }, { host: '127.0.0.1', client: set.client })).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});

describe('parseSan', () => {
  it('reads a bare address as an IP and anything else as a DNS name, lower-cased', () => {
    expect(parseSan('192.168.1.10')).toEqual({ type: 'ip', value: '192.168.1.10' });
    expect(parseSan('FE80::0:1')).toEqual({ type: 'ip', value: 'fe80::1' });
    expect(parseSan('Docker-Host.Example.')).toEqual({ type: 'dns', value: 'docker-host.example' });
  });

  it("takes openssl's DNS: and IP: prefixes", () => {
    expect(parseSan('IP:127.0.0.1')).toEqual({ type: 'ip', value: '127.0.0.1' });
    expect(parseSan('dns:localhost')).toEqual({ type: 'dns', value: 'localhost' });
  });

  it('refuses what is neither, and an IP: that is no address', () => {
    for (const bad of ['', 'under_score', '-lead.example', 'a..b', 'IP:localhost', 'IP:10.0.0.0/8', 'x'.repeat(64), 'host name'])
      expect(() => parseSan(bad), bad).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});

describe('validFor', () => {
  it('refuses a period that is not a whole number of days, at least one', () => {
    for (const days of [0, -1, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        validFor(days);
      } catch (e) {
        err = e;
      }
      expect(isCode(err, 'InvalidArgument')).toBe(true);
    }
  });
});
