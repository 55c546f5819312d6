/**
 * Keys and X.509 certificates for mutual TLS between a Docker client and a daemon, made with node-forge:
 * the in-memory half of `boxlab tls init` (files.ts writes them). No I/O here, so tests make good and
 * deliberately bad certificates (another CA, an expired one, the wrong usage) with the same code.
 *
 * What a certificate holds follows Docker's "Protect the Docker daemon socket" recipe, which uses
 * openssl (docs.docker.com/engine/security/protect-access/): `openssl req -x509` for the CA (openssl's
 * v3_ca section: basicConstraints critical CA:TRUE, subject and authority key identifiers), then
 * `openssl x509 -req -extfile` with `extendedKeyUsage = serverAuth` plus subjectAltName for the daemon
 * and `extendedKeyUsage = clientAuth` for the client, SHA-256 signatures, 365 days.
 *
 * The docker CLI and dockerd are Go programs, and Go's crypto/x509 is the verifier that matters:
 * - it ignores the subject CN for host names since Go 1.15, so the server's names MUST be SANs;
 * - dockerd verifies a client with ExtKeyUsageClientAuth, the CLI the server with ServerAuth, so the
 *   EKU decides which side a certificate can be;
 * - its DER parser refuses negative and non-minimally encoded INTEGERs, hence serialNumber() below.
 */
import { randomBytes } from 'node:crypto';
import { Address4, Address6 } from 'ip-address';
import forge from 'node-forge';
import { BoxlabError } from '../errors.js';

const { pki } = forge;

/** A certificate and the private key of its public key. */
export interface Credential {
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

/** A subjectAltName: a DNS name or an IP address (v4 or v6). */
export type San = { readonly type: 'dns'; readonly value: string } | { readonly type: 'ip'; readonly value: string };

/** The TLS roles of extendedKeyUsage (RFC 5280 4.2.1.12: id-kp-serverAuth, id-kp-clientAuth). */
export type Usage = 'serverAuth' | 'clientAuth';

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Docker's recipe signs every certificate for 365 days (`-days 365`). */
export const DEFAULT_DAYS = 365;
/** Docker's recipe makes every key with `openssl genrsa ... 4096`. */
export const DEFAULT_KEY_BITS = 4096;
/** What a daemon on this machine is reached by: `-H tcp://localhost:2376` or `tcp://127.0.0.1:2376`. */
export const DEFAULT_SANS: readonly San[] = [
  { type: 'dns', value: 'localhost' },
  { type: 'ip', value: '127.0.0.1' },
];

const DAY_MS = 86_400_000;

/** From now (to the second, as X.509 times are) for `days` days. */
export function validFor(days: number, from: Date = new Date()): Validity {
  if (!Number.isInteger(days) || days < 1) throw new BoxlabError('InvalidArgument', `days must be a whole number of at least 1, not ${days}`);
  const notBefore = new Date(Math.floor(from.getTime() / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

/**
 * An RSA key pair. forge hands the work to Node's native generateKeyPair when it can (forge's
 * rsa.generateKeyPair with no custom prng), which makes a 4096-bit key in about a second instead of a
 * minute of pure JavaScript.
 */
export function generateKey(bits: number = DEFAULT_KEY_BITS): Promise<forge.pki.rsa.KeyPair> {
  return new Promise((resolve, reject) =>
    pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (err, keys) => (err ? reject(err) : resolve(keys))),
  );
}

/**
 * A random serial, as openssl's `-CAcreateserial` makes one. RFC 5280 4.1.2.2: a positive integer of at
 * most 20 octets. The first byte is 0x40-0x7f: positive (high bit clear) and minimally encoded (no
 * leading zero byte), both of which Go's DER parser insists on.
 */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString('hex');
}

/**
 * A --san value: `DNS:name` or `IP:address` as in openssl's subjectAltName syntax, or a bare value,
 * which is an IP when ip-address reads it as one and a DNS name otherwise.
 */
export function parseSan(text: string): San {
  const m = /^(DNS|IP):(.*)$/i.exec(text);
  const kind = m?.[1]?.toLowerCase();
  const value = (m ? (m[2] ?? '') : text).trim();
  const ip = ipForm(value);
  if (kind === 'ip' || (kind === undefined && ip !== undefined)) {
    if (ip === undefined) throw new BoxlabError('InvalidArgument', `not an IP address: ${value}`, { member: text });
    return { type: 'ip', value: ip };
  }
  // RFC 1123 host names, lower-cased as DNS compares them; a leading `*.` is a wildcard (RFC 6125 6.4.3).
  const dns = value.toLowerCase().replace(/\.$/, '');
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  const labels = dns.startsWith('*.') ? dns.slice(2).split('.') : dns.split('.');
  if (dns.length === 0 || dns.length > 253 || !labels.every((l) => label.test(l)))
    throw new BoxlabError('InvalidArgument', `not a DNS name or an IP address: ${value}`, { member: text });
  return { type: 'dns', value: dns };
}

/** The canonical text of an IPv4 or IPv6 address, or undefined if it is neither. */
function ipForm(value: string): string | undefined {
  if (Address4.isValid(value) && /^[0-9.]+$/.test(value)) return new Address4(value).correctForm();
  if (Address6.isValid(value) && !value.includes('/') && !value.includes('%')) return new Address6(value).correctForm();
  return undefined;
}

function altNames(sans: readonly San[]): { type: number; value?: string; ip?: string }[] {
  // GeneralName tags (RFC 5280 4.2.1.6): dNSName [2], iPAddress [7]; forge packs `ip` into its octets.
  return sans.map((s) => (s.type === 'dns' ? { type: 2, value: s.value } : { type: 7, ip: s.value }));
}

interface CertSpec {
  readonly commonName: string;
  readonly publicKey: forge.pki.rsa.PublicKey;
  readonly validity: Validity;
  readonly extensions: object[];
}

/** Fill in and sign one certificate; `issuer` undefined means self-signed by `selfKey`. */
function build(spec: CertSpec, issuer: Credential | undefined, selfKey: forge.pki.rsa.PrivateKey): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = spec.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = spec.validity.notBefore;
  cert.validity.notAfter = spec.validity.notAfter;
  const subject = [{ name: 'commonName', value: spec.commonName }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  // authorityKeyIdentifier names the signer's key, so a verifier picks the right CA among several.
  const authorityKey = issuer ? issuer.cert.generateSubjectKeyIdentifier().getBytes() : true;
  cert.setExtensions([...spec.extensions, { name: 'subjectKeyIdentifier' }, { name: 'authorityKeyIdentifier', keyIdentifier: authorityKey }]);
  cert.sign(issuer?.key ?? selfKey, forge.md.sha256.create());
  return cert;
}

/** How a certificate's key pair is had: made here (of `bits`), or given (made beforehand, in parallel). */
export interface KeyOptions {
  readonly bits?: number;
  readonly keys?: forge.pki.rsa.KeyPair;
}

export interface CaOptions extends KeyOptions {
  readonly commonName?: string;
  readonly validity?: Validity;
}

/** A self-signed certificate authority: openssl's v3_ca extensions plus the key usages a CA signs with. */
export async function makeCa(opts: CaOptions = {}): Promise<Credential> {
  const keys = opts.keys ?? (await generateKey(opts.bits));
  const cert = build(
    {
      commonName: opts.commonName ?? 'boxlab CA',
      publicKey: keys.publicKey,
      validity: opts.validity ?? validFor(DEFAULT_DAYS),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
    undefined,
    keys.privateKey,
  );
  return { cert, key: keys.privateKey };
}

export interface LeafOptions extends KeyOptions {
  readonly commonName: string;
  /** extendedKeyUsage: which ends of a TLS connection this certificate may be. */
  readonly usages: readonly Usage[];
  readonly sans?: readonly San[];
  readonly validity?: Validity;
}

/** An end-entity certificate signed by `ca`. */
export async function issue(ca: Credential, opts: LeafOptions): Promise<Credential> {
  if (opts.usages.length === 0) throw new BoxlabError('InvalidArgument', 'a certificate needs at least one extended key usage');
  const keys = opts.keys ?? (await generateKey(opts.bits));
  const usages = Object.fromEntries(opts.usages.map((u) => [u, true]));
  // keyEncipherment: TLS 1.2's RSA key exchange encrypts to the server's key; signing needs digitalSignature.
  const keyUsage = { name: 'keyUsage', digitalSignature: true, keyEncipherment: opts.usages.includes('serverAuth'), critical: true };
  const extensions: object[] = [{ name: 'basicConstraints', cA: false }, keyUsage, { name: 'extKeyUsage', ...usages }];
  if (opts.sans?.length) extensions.push({ name: 'subjectAltName', altNames: altNames(opts.sans) });
  const validity = opts.validity ?? validFor(DEFAULT_DAYS);
  const cert = build({ commonName: opts.commonName, publicKey: keys.publicKey, validity, extensions }, ca, keys.privateKey);
  return { cert, key: keys.privateKey };
}

/** A daemon's certificate: serverAuth, named by its SANs; the CN is the first name, as the recipe's `/CN=$HOST`. */
export function issueServer(ca: Credential, sans: readonly San[] = DEFAULT_SANS, opts: KeyOptions & { validity?: Validity } = {}): Promise<Credential> {
  if (sans.length === 0) throw new BoxlabError('InvalidArgument', 'a server certificate needs at least one name (SAN)');
  return issue(ca, { ...opts, commonName: sans[0]?.value ?? 'localhost', usages: ['serverAuth'], sans });
}

/** A client's certificate: clientAuth, `/CN=client` as in the recipe. */
export function issueClient(ca: Credential, opts: KeyOptions & { commonName?: string; validity?: Validity } = {}): Promise<Credential> {
  return issue(ca, { ...opts, commonName: opts.commonName ?? 'client', usages: ['clientAuth'] });
}

// forge ends PEM lines with CRLF (RFC 7468 allows either); openssl, and so every file of the recipe, with LF.
const lf = (pem: string) => pem.replace(/\r\n/g, '\n');
export const certificatePem = (c: Credential): string => lf(pki.certificateToPem(c.cert));
/** PKCS#1 (`BEGIN RSA PRIVATE KEY`), unencrypted: what Go's tls.X509KeyPair and Node's tls both read. */
export const privateKeyPem = (c: Credential): string => lf(pki.privateKeyToPem(c.key));
