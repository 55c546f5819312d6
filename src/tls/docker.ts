/**
 * The set of files Docker's "Protect the Docker daemon socket" recipe leaves in its directory, made with
 * node-forge instead of openssl: a CA, the daemon's certificate and the client's, each with its key.
 *
 * The names are the ones both ends look for. dockerd is given them by flag (--tlscacert ca.pem
 * --tlscert server-cert.pem --tlskey server-key.pem). The docker CLI finds ca.pem, cert.pem and key.pem
 * by these exact names in DOCKER_CERT_PATH (default ~/.docker): docker/cli's cli/flags/options.go,
 * DefaultCaFile, DefaultCertFile and DefaultKeyFile.
 *
 * The recipe ends with `chmod 0400 ca-key.pem key.pem server-key.pem` and `chmod 0444 ca.pem
 * server-cert.pem cert.pem`: keys readable by their owner only, certificates by anyone, nothing writable.
 */
import {
  certificatePem,
  DEFAULT_DAYS,
  DEFAULT_SANS,
  generateKey,
  issueClient,
  issueServer,
  makeCa,
  privateKeyPem,
  validFor,
  type Credential,
  type San,
} from './pki.js';

export interface DockerTls {
  readonly ca: Credential;
  readonly server: Credential;
  readonly client: Credential;
}

export interface DockerTlsOptions {
  /** The daemon's names; localhost and 127.0.0.1 when absent or empty. */
  readonly sans?: readonly San[];
  readonly days?: number;
  readonly bits?: number;
  /** The start of every validity period (tests pin it); now when absent. */
  readonly now?: Date;
}

/** CA, server (serverAuth) and client (clientAuth) certificates, all valid for the same period. */
export async function makeDockerTls(opts: DockerTlsOptions = {}): Promise<DockerTls> {
  const validity = validFor(opts.days ?? DEFAULT_DAYS, opts.now);
  const sans = opts.sans?.length ? opts.sans : DEFAULT_SANS;
  // The three keys are independent: make them at once (Node's keygen runs off the main thread, and a
  // 4096-bit prime search takes from a fraction of a second to several).
  const [caKeys, serverKeys, clientKeys] = await Promise.all([1, 2, 3].map(() => generateKey(opts.bits)));
  const ca = await makeCa({ validity, keys: caKeys });
  const server = await issueServer(ca, sans, { validity, keys: serverKeys });
  const client = await issueClient(ca, { validity, keys: clientKeys });
  return { ca, server, client };
}

/** One file of the set: its name in the directory, its PEM text and its mode. */
export interface TlsFile {
  readonly name: string;
  readonly pem: string;
  readonly mode: number;
}

export const KEY_MODE = 0o400;
export const CERT_MODE = 0o444;

/** The names of the set, in the order files.ts writes them. */
export const TLS_FILE_NAMES = ['ca.pem', 'ca-key.pem', 'server-cert.pem', 'server-key.pem', 'cert.pem', 'key.pem'] as const;

/**
 * The set as files. ca-key.pem is kept, as the recipe keeps it: without it no further client can ever
 * be signed for this daemon. Unlike the recipe's `genrsa -aes256`, it is not passphrase-encrypted (the
 * command asks nothing interactively); its 0400 mode is its protection.
 */
export function dockerTlsFiles(set: DockerTls): TlsFile[] {
  const pair = (cert: string, key: string, c: Credential): TlsFile[] => [
    { name: cert, pem: certificatePem(c), mode: CERT_MODE },
    { name: key, pem: privateKeyPem(c), mode: KEY_MODE },
  ];
  return [...pair('ca.pem', 'ca-key.pem', set.ca), ...pair('server-cert.pem', 'server-key.pem', set.server), ...pair('cert.pem', 'key.pem', set.client)];
}
