/**
 * TLS for the Docker Engine API: the certificates `dockerd --tlsverify` and `docker --tlsverify` need
 * (pki.ts, docker.ts) and writing them out (files.ts). `boxlab tls init` is initDockerTls.
 */
import { dockerTlsFiles, makeDockerTls, TLS_FILE_NAMES, type DockerTls, type DockerTlsOptions } from './docker.js';
import { existingNames, writeTlsFiles, type WriteOptions } from './files.js';
import { BoxlabError } from '../errors.js';

export * from './pki.js';
export * from './docker.js';
export * from './files.js';

export interface InitResult {
  readonly set: DockerTls;
  /** The paths written, in TLS_FILE_NAMES order. */
  readonly paths: string[];
}

/** Make a CA, a server and a client certificate and write the six files of Docker's recipe into `dir`. */
export async function initDockerTls(dir: string, opts: DockerTlsOptions & WriteOptions = {}): Promise<InitResult> {
  // Refuse before spending seconds on keys; writeTlsFiles refuses again should a file appear meanwhile.
  if (!opts.force) {
    const found = await existingNames(dir, TLS_FILE_NAMES);
    if (found.length) throw new BoxlabError('AlreadyExists', `${found.join(', ')} already exist in ${dir}`, { member: found[0] });
  }
  const set = await makeDockerTls(opts);
  const paths = await writeTlsFiles(dir, dockerTlsFiles(set), opts);
  return { set, paths };
}
