/**
 * Images from declarative specs: layers, an OCI config (image-spec config.md) and an OCI manifest.
 * `FROM` is another built image: its layer blobs are reused as they are, so digests are shared.
 */
import { chainIds, sha256, type Digest } from '../../digest.js';
import { BoxlabError } from '../../errors.js';
import { applyDirs, buildLayer, MediaTypes, type BuiltLayer, type DirAttrs, type LayerSpec } from './layer.js';

/** The runtime part of an image config, with the OCI config.md field names. */
export interface ContainerConfig {
  User?: string;
  /** `"8080/tcp"` keys; the OCI config maps each to `{}`. */
  ExposedPorts?: string[];
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

/** A Dockerfile instruction that changes only the config (ENV, CMD, EXPOSE…): `empty_layer: true`. */
export interface EmptyStep {
  emptyLayer: true;
  createdBy: string;
  comment?: string;
}

export type Step = LayerSpec | EmptyStep;

export interface ImageSpec {
  /** Familiar reference with a tag, e.g. `boxlab/alpine:3.20`. */
  name: string;
  /** RFC 3339 in UTC, as Go prints it (`2024-06-01T12:00:00Z`): config `created`, history and entry mtimes. */
  created: string;
  /** Layers and config-only steps, in build order (each becomes one history entry). */
  steps: Step[];
  /** Merged over the base image's config: Env by variable name, Labels and ExposedPorts by key, the rest replaced. */
  config?: ContainerConfig;
  architecture?: string;
  os?: string;
  variant?: string;
  author?: string;
}

export interface HistoryEntry {
  created: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface OciConfig {
  created: string;
  author?: string;
  architecture: string;
  variant?: string;
  os: string;
  config: Record<string, unknown>;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history: HistoryEntry[];
}

export interface BuiltImage {
  /** As given in the spec (`boxlab/alpine:3.20`). */
  name: string;
  created: string;
  layers: BuiltLayer[];
  diffIds: Digest[];
  chainIds: Digest[];
  configJson: OciConfig;
  /** The config blob; its digest is the image ID. */
  config: Buffer;
  configDigest: Digest;
  manifest: Buffer;
  manifestDigest: Digest;
  /** Directories of the merged rootfs (for an image built FROM this one). */
  dirs: ReadonlyMap<string, DirAttrs>;
}

export function isEmptyStep(s: Step): s is EmptyStep {
  return 'emptyLayer' in s && s.emptyLayer === true;
}

const CREATED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/;

export async function buildImage(spec: ImageSpec, base?: BuiltImage): Promise<BuiltImage> {
  if (!CREATED.test(spec.created))
    throw new BoxlabError('InvalidArgument', `created must be RFC 3339 UTC as Go prints it: ${spec.created}`);
  const mtime = new Date(spec.created);
  const layers = [...(base?.layers ?? [])];
  const history = [...(base?.configJson.history ?? [])];
  let dirs: ReadonlyMap<string, DirAttrs> = base?.dirs ?? new Map();
  for (const step of spec.steps) {
    const entry: HistoryEntry = { created: spec.created, created_by: step.createdBy ?? '' };
    if (spec.author) entry.author = spec.author;
    if (step.comment) entry.comment = step.comment;
    if (isEmptyStep(step)) {
      entry.empty_layer = true;
    } else {
      layers.push(await buildLayer(step, { mtime, lower: dirs }));
      dirs = applyDirs(dirs, step, { mtime });
    }
    history.push(entry);
  }
  const diffIds = layers.map((l) => l.diffId);
  const configJson: OciConfig = {
    created: spec.created,
    ...(spec.author ? { author: spec.author } : {}),
    architecture: spec.architecture ?? base?.configJson.architecture ?? 'amd64',
    ...(spec.variant ? { variant: spec.variant } : {}),
    os: spec.os ?? base?.configJson.os ?? 'linux',
    config: mergeConfig(base?.configJson.config ?? {}, spec.config ?? {}),
    rootfs: { type: 'layers', diff_ids: diffIds },
    history,
  };
  const { config, configDigest, manifest } = configAndManifest(configJson, layers);
  return {
    name: spec.name,
    created: spec.created,
    layers,
    diffIds,
    chainIds: chainIds(diffIds),
    configJson,
    config,
    configDigest,
    manifest,
    manifestDigest: sha256(manifest),
    dirs,
  };
}

/** The config blob of `configJson` and the OCI manifest naming it and the layer blobs. */
export function configAndManifest(
  configJson: OciConfig,
  layers: readonly { mediaType: string; digest: Digest; size: number }[],
): { config: Buffer; configDigest: Digest; manifest: Buffer } {
  const config = Buffer.from(JSON.stringify(configJson));
  const configDigest = sha256(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.manifest,
      config: { mediaType: MediaTypes.config, digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  return { config, configDigest, manifest };
}

/** Key order of OCI config.md, so the config bytes read like other writers'. */
const CONFIG_KEYS = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal'];

function mergeConfig(base: Record<string, unknown>, over: ContainerConfig): Record<string, unknown> {
  const m: Record<string, unknown> = { ...base };
  const set = <T>(k: string, v: T | undefined) => {
    if (v !== undefined) m[k] = v;
  };
  set('User', over.User);
  if (over.ExposedPorts)
    m.ExposedPorts = { ...(base.ExposedPorts as object), ...Object.fromEntries(over.ExposedPorts.map((p) => [p, {}])) };
  if (over.Env) m.Env = mergeEnv((base.Env as string[] | undefined) ?? [], over.Env);
  set('Entrypoint', over.Entrypoint);
  set('Cmd', over.Cmd);
  if (over.Volumes) m.Volumes = { ...(base.Volumes as object), ...Object.fromEntries(over.Volumes.map((v) => [v, {}])) };
  set('WorkingDir', over.WorkingDir);
  if (over.Labels) m.Labels = { ...(base.Labels as object), ...over.Labels };
  set('StopSignal', over.StopSignal);
  const ordered: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) if (k in m) ordered[k] = m[k];
  for (const k of Object.keys(m)) if (!(k in ordered)) ordered[k] = m[k];
  return ordered;
}

/** ENV replaces a variable of the same name in place and appends new ones, as the Docker builder does. */
function mergeEnv(base: string[], over: string[]): string[] {
  const out = [...base];
  for (const kv of over) {
    const name = kv.split('=')[0];
    const i = out.findIndex((e) => e.split('=')[0] === name);
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  }
  return out;
}
