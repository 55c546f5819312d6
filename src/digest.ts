import { createHash } from 'node:crypto';
import { BoxlabError } from './errors.js';

/** `sha256:<64 lowercase hex>`; OCI descriptor.md forbids upper-case hex. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: unknown): s is Digest {
  return typeof s === 'string' && DIGEST_RE.test(s);
}

export function parseDigest(s: unknown, member?: string): Digest {
  if (isDigest(s)) return s;
  if (typeof s === 'string' && /^[a-z0-9]+([+._-][a-z0-9]+)*:/.test(s) && !s.startsWith('sha256:'))
    throw new BoxlabError('Unsupported', `unsupported digest algorithm: ${s}`, { member });
  throw new BoxlabError('InvalidArchive', `invalid digest ${JSON.stringify(s)}`, { member });
}

export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function hexOf(d: Digest): string {
  return d.slice(7);
}

/**
 * ChainID as the OCI image-spec defines it (config.md) and Docker computes it:
 * ChainID(L0) = DiffID(L0); ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)),
 * hashing the full `sha256:`-prefixed strings.
 */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : sha256(`${prev} ${d}`));
  }
  return out;
}

/** Docker's 12-hex short form of an ID. */
export function shortId(d: Digest): string {
  return hexOf(d).slice(0, 12);
}
