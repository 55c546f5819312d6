/**
 * The legacy v1 layer JSON and IDs that `docker save` (Engine 20.10, image/tarexport/save.go)
 * writes into `<id>/json`. Reproduced byte for byte: a v1 ID is the sha256 of Go's encoding of the
 * V1Image struct with `layer_id` (the chainID) and `parent` added, top-level keys sorted
 * (image/v1/imagev1.go CreateID). Checked against a real 20.10 archive in the corpus.
 */
import { sha256, type Digest } from '../../digest.js';
import type { OciConfig } from './image.js';

/** JSON string as Go's encoding/json writes it: HTML-safe, `\u00XX` for controls but \n \r \t. */
export function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029)
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's json.Marshal of plain data: object keys in the order given (maps are sorted by the caller). */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .map((k) => `${goString(k)}:${goJson(o[k])}`)
    .join(',')}}`;
}

function sortedMap(m: unknown): unknown {
  if (m === undefined || m === null) return null;
  const o = m as Record<string, unknown>;
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

/** Engine 20.10's api/types/container.Config, in struct field order with its omitempty rules. */
function containerConfig(c: Record<string, unknown> | undefined): Record<string, unknown> {
  const g = c ?? {};
  const out: Record<string, unknown> = {
    Hostname: '',
    Domainname: '',
    User: g.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
  };
  if (g.ExposedPorts && Object.keys(g.ExposedPorts).length > 0) out.ExposedPorts = sortedMap(g.ExposedPorts);
  Object.assign(out, { Tty: false, OpenStdin: false, StdinOnce: false, Env: g.Env ?? null, Cmd: g.Cmd ?? null });
  Object.assign(out, {
    Image: '',
    Volumes: sortedMap(g.Volumes),
    WorkingDir: g.WorkingDir ?? '',
    Entrypoint: g.Entrypoint ?? null,
    OnBuild: null,
    Labels: sortedMap(g.Labels),
  });
  if (g.StopSignal) out.StopSignal = g.StopSignal;
  return out;
}

const EPOCH = '1970-01-01T00:00:00Z';

/** image.V1Image as Go marshals it (ID and Parent set by the caller). */
function v1Image(img: OciConfig | undefined, id: string, parent: string, os: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (id) o.id = id;
  if (parent) o.parent = parent;
  o.created = img?.created ?? EPOCH;
  o.container_config = containerConfig(undefined);
  if (img?.author) o.author = img.author;
  if (img) o.config = containerConfig(img.config);
  if (img?.architecture) o.architecture = img.architecture;
  if (img?.variant) o.variant = img.variant;
  if (os) o.os = os;
  return o;
}

export interface V1Layer {
  /** 64 hex: the `<id>/` directory. */
  id: string;
  /** The `<id>/json` bytes. */
  json: Buffer;
}

/**
 * v1 layers for an image: every layer but the top gets an empty V1Image created at the epoch; the
 * top one carries the image's own config (save.go saveImage).
 */
export function v1Layers(config: OciConfig, chain: readonly Digest[]): V1Layer[] {
  const out: V1Layer[] = [];
  let parent = '';
  chain.forEach((chainId, i) => {
    const top = i === chain.length - 1 ? config : undefined;
    // CreateID marshals before OS is set on the non-top layers, and without ID.
    const forId = v1Image(top, '', '', top ? config.os : '');
    forId.layer_id = chainId;
    if (parent) forId.parent = parent;
    const sorted = Object.fromEntries(Object.keys(forId).sort().map((k) => [k, forId[k]]));
    const id = sha256(goJson(sorted));
    const hex = id.slice(7);
    out.push({ id: hex, json: Buffer.from(goJson(v1Image(top, hex, parent.slice(7), config.os))) });
    parent = id;
  });
  return out;
}
