import { BoxlabError } from '../errors.js';

/** A parsed image reference: `docker.io/library/alpine:3.20` or its familiar form `alpine:3.20`. */
export interface Reference {
  domain: string;
  path: string;
  tag: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;

/**
 * Parses a reference the way Docker's distribution/reference does for names with tags: the
 * domain defaults to docker.io, a one-part docker.io name gets `library/`, the tag `latest`.
 * Digest references (`@sha256:`) are not tags and are refused here.
 */
export function parseReference(ref: string): Reference {
  // distribution/reference's own words (ErrReferenceInvalidFormat, ErrNameContainsUppercase); the
  // docker CLI adds the input around them
  const bad = (why = '') => new BoxlabError('InvalidArgument', `invalid reference format${why}`);
  if (ref.includes('@')) throw bad();
  let name = ref;
  let tag = 'latest';
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) {
    name = ref.slice(0, colon);
    tag = ref.slice(colon + 1);
    if (!TAG.test(tag)) throw bad();
  }
  const parts = name.split('/');
  let domain = 'docker.io';
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) throw bad();
  }
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    throw parts.some((p) => COMPONENT.test(p.toLowerCase())) ? bad(': repository name must be lowercase') : bad();
  }
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { domain, path: parts.join('/'), tag };
}

/** `alpine:3.20` for docker.io/library/alpine:3.20, as `docker images` shows it. */
export function familiarName(r: Reference): string {
  if (r.domain !== 'docker.io') return `${r.domain}/${r.path}`;
  return r.path.startsWith('library/') ? r.path.slice('library/'.length) : r.path;
}

export function familiarString(r: Reference): string {
  return `${familiarName(r)}:${r.tag}`;
}

/** Normalises any accepted spelling to the familiar `name:tag` the store keys tags by. */
export function normalizeTag(ref: string): string {
  return familiarString(parseReference(ref));
}

/** `docker.io/library/alpine:3.20`, as containerd and Docker 25+ archives name images. */
export function fullString(r: Reference): string {
  return `${r.domain}/${r.path}:${r.tag}`;
}
