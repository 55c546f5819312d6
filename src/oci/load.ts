import { isDigest, parseDigest, sha256, type Digest } from '../digest.js';
import { BoxlabError } from '../errors.js';
import { cleanPath } from '../layer/paths.js';
import { unpackLayer, unpackRefused } from '../layer/diff-dir.js';
import type { StagedArchive, StagedFile } from './stage.js';
import { compressionOfMediaType, MediaType, type Descriptor, type ImageConfig } from './types.js';
import { fullString, normalizeTag, parseReference } from './reference.js';

/** One image found in an archive, fully verified, its members still in the staging directory. */
export interface ParsedImage {
  config: { digest: Digest; bytes: Buffer; parsed: ImageConfig };
  /** The OCI manifest as it came, when the archive had one (kept so `save` reproduces it). */
  manifest?: { digest: Digest; bytes: Buffer };
  layers: ParsedLayer[];
  /** Familiar `name:tag` strings. */
  repoTags: string[];
}

export interface ParsedLayer {
  descriptor: Descriptor;
  staged: StagedFile;
  diffId: Digest;
}

/**
 * Docker's overlay2 layer store refuses an image deeper than this at `docker load` ("max depth
 * exceeded"); measured on Engine 20.10 here: 125 layers load, 126 do not (oracles.md).
 */
export const MAX_IMAGE_LAYERS = 125;

const invalid = (msg: string, member?: string) => new BoxlabError('InvalidArchive', msg, { member });

function json<T>(f: StagedFile | undefined, member: string): T {
  if (!f) throw invalid(`${member}: no such file in archive`, member);
  if (!f.data) throw invalid(`${member}: not a JSON document`, member);
  try {
    return JSON.parse(f.data.toString('utf8')) as T;
  } catch (err) {
    throw invalid(`${member}: invalid JSON: ${(err as Error).message}`, member);
  }
}

/**
 * Reads the images an archive holds, the way `docker load` does: `manifest.json` first (the
 * `docker save` format, legacy or Docker 25+, whose layers may be plain or compressed), else an
 * OCI layout's `index.json`. Every digest, size and diffID is checked here.
 */
export function parseArchive(a: StagedArchive, platform = hostPlatform()): ParsedImage[] {
  let images: ParsedImage[] | undefined;
  if (a.files.has('manifest.json')) images = parseDockerArchive(a);
  else if (a.files.has('index.json')) images = parseOciLayout(a, platform);
  if (images) {
    images.forEach(checkApplies);
    return images;
  }
  if (a.files.size === 0 && a.names.size === 0) throw invalid('invalid archive: the archive is empty');
  throw invalid('invalid archive: no manifest.json (docker save format) or index.json (OCI image layout) found', 'manifest.json');
}

function verifiedBlob(a: StagedArchive, d: Descriptor, what: string): StagedFile {
  const digest = parseDigest(d.digest, what);
  const member = `blobs/sha256/${digest.slice(7)}`;
  const f = a.resolve(member);
  if (!f) throw invalid(`${member}: missing blob for ${what} ${digest}`, member);
  if (typeof d.size !== 'number' || d.size < 0) throw invalid(`${member}: invalid size ${d.size} in descriptor`, member);
  if (f.size !== d.size)
    throw new BoxlabError('DigestMismatch', `${member}: size ${f.size} does not match descriptor size ${d.size}`, {
      member,
    });
  if (f.digest !== digest)
    throw new BoxlabError('DigestMismatch', `${member}: content digest ${f.digest} does not match ${digest}`, {
      member,
    });
  return f;
}

function parseConfig(f: StagedFile, member: string): ImageConfig {
  const c = json<ImageConfig>(f, member);
  if (typeof c !== 'object' || c === null || typeof c.rootfs !== 'object' || c.rootfs === null)
    throw invalid(`${member}: image config has no rootfs`, member);
  // OCI config.md: implementations MUST generate an error on an unknown rootfs.type
  if (c.rootfs.type !== 'layers') throw invalid(`${member}: unknown rootfs type ${JSON.stringify(c.rootfs.type)}`, member);
  if (!Array.isArray(c.rootfs.diff_ids)) throw invalid(`${member}: rootfs.diff_ids is not a list`, member);
  c.rootfs.diff_ids.forEach((d) => parseDigest(d, member));
  return c;
}

function checkLayer(staged: StagedFile, expected: Digest, index: number, member: string): Digest {
  if (staged.layerError)
    throw invalid(`${member}: layer ${index} is not a readable layer: ${staged.layerError.message}`, member);
  // Docker: "archive/tar: invalid tar header"
  if (!staged.layer) throw invalid(`${member}: layer ${index} is not a tar archive: invalid tar header`, member);
  if (staged.layer.diffId !== expected)
    throw new BoxlabError(
      'DigestMismatch',
      `${member}: invalid diffID for layer ${index}: expected "${expected}", got "${staged.layer.diffId}"`,
      { member },
    );
  return expected;
}

function checkDepth(n: number, member: string): void {
  if (n > MAX_IMAGE_LAYERS)
    throw new BoxlabError(
      'FailedPrecondition',
      `max depth exceeded: the image has ${n} layers; Docker's overlay2 layer store holds at most ${MAX_IMAGE_LAYERS}`,
      { member },
    );
}

/**
 * Unpacks each layer into its own empty diff directory, as Docker's overlay2 driver does (metadata
 * only, no bytes are read): a layer Docker's unpack fails on (a hardlink to a file it does not
 * hold, a whiteout over a name the layer made or under a file) is refused at load with Docker's
 * words, as Docker's layer store refuses it, not found later by a mount.
 */
function checkApplies(img: ParsedImage): void {
  for (const l of img.layers) {
    const { entries, unpackFailure } = l.staged.layer!;
    // staging tried the unpack while the layer streamed in; a layer staged otherwise is tried now
    if (unpackFailure === undefined) unpackLayer({ diffId: l.diffId, entries, readContent: () => Buffer.alloc(0) }, l.diffId, l.staged.name);
    else if (unpackFailure !== null) throw unpackRefused(l.staged.name, unpackFailure);
  }
}

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

function parseDockerArchive(a: StagedArchive): ParsedImage[] {
  const entries = json<DockerManifestEntry[]>(a.files.get('manifest.json'), 'manifest.json');
  if (!Array.isArray(entries)) throw invalid('manifest.json: not a list of images', 'manifest.json');
  return entries.map((m, i) => {
    const where = `manifest.json[${i}]`;
    if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers)) throw invalid(`${where}: missing Config or Layers`, 'manifest.json');
    const configName = cleanPath(m.Config);
    const configFile = a.resolve(configName);
    // Docker's words (it names the member inside its own temp dir): open <dir>/NAME: no such file or directory
    if (!configFile) throw invalid(`open ${configName}: no such file or directory`, configName);
    checkBlobName(configName, configFile);
    const parsed = parseConfig(configFile, configName);
    const diffIds = parsed.rootfs.diff_ids;
    if (m.Layers.length !== diffIds.length)
      throw invalid(`invalid manifest, layers length mismatch: expected ${m.Layers.length}, got ${diffIds.length}`, 'manifest.json');
    checkDepth(m.Layers.length, 'manifest.json');
    const layers = m.Layers.map((l, li): ParsedLayer => {
      const name = cleanPath(l);
      const staged = a.resolve(name);
      if (!staged) throw invalid(`open ${name}: no such file or directory`, name);
      // the diffID first: a changed layer is "invalid diffID" for Docker, whatever its member's name
      const diffId = checkLayer(staged, diffIds[li]!, li, name);
      checkBlobName(name, staged);
      const compression = staged.compression ?? 'none';
      return {
        staged,
        diffId,
        descriptor: {
          mediaType: compression === 'gzip' ? MediaType.ociLayerGzip : compression === 'zstd' ? MediaType.ociLayerZstd : MediaType.ociLayer,
          digest: staged.digest,
          size: staged.size,
        },
      };
    });
    return {
      config: { digest: sha256(configFile.data!), bytes: configFile.data!, parsed },
      layers,
      repoTags: (m.RepoTags ?? []).map((t) => normalizeTag(t)),
    };
  });
}

/** A member stored under `blobs/sha256/<hex>` must hash to that name. */
function checkBlobName(name: string, f: StagedFile): void {
  const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
  if (m && f.digest !== `sha256:${m[1]}`)
    throw new BoxlabError('DigestMismatch', `${name}: content digest ${f.digest} does not match its name`, { member: name });
}

interface OciIndex {
  schemaVersion?: number;
  mediaType?: string;
  manifests: Descriptor[];
}
interface OciManifest {
  schemaVersion?: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface Platform {
  os: string;
  architecture: string;
}

export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

function parseOciLayout(a: StagedArchive, platform: Platform): ParsedImage[] {
  const layout = a.files.get('oci-layout');
  if (layout) {
    const l = json<{ imageLayoutVersion?: string }>(layout, 'oci-layout');
    if (typeof l?.imageLayoutVersion !== 'string') throw invalid('oci-layout: no imageLayoutVersion', 'oci-layout');
  }
  const index = json<OciIndex>(a.files.get('index.json'), 'index.json');
  if (!index || !Array.isArray(index.manifests)) throw invalid('index.json: not an image index', 'index.json');
  const out: ParsedImage[] = [];
  for (const d of index.manifests) {
    const tags = tagsOf(d.annotations);
    const m = pickManifest(a, d, platform, 'index.json');
    if (!m) continue;
    const existing = out.find((o) => o.config.digest === m.config.digest);
    if (existing) existing.repoTags.push(...tags.filter((t) => !existing.repoTags.includes(t)));
    else out.push({ ...m, repoTags: tags });
  }
  if (out.length === 0) throw invalid(`index.json: no image for platform ${platform.os}/${platform.architecture}`, 'index.json');
  return out;
}

/** Follows an index entry down to the one manifest for `platform`, as Docker picks from a list. */
function pickManifest(
  a: StagedArchive,
  d: Descriptor,
  platform: Platform,
  from: string,
  depth = 0,
): Omit<ParsedImage, 'repoTags'> | null {
  if (depth > 4) throw invalid(`${from}: image indexes nested too deeply`, from);
  if (!isDigest(d?.digest)) parseDigest(d?.digest, from);
  if (d.mediaType === MediaType.ociIndex || d.mediaType === MediaType.dockerManifestList) {
    const f = verifiedBlob(a, d, 'image index');
    const idx = json<OciIndex>(f, f.name);
    const candidates = (idx.manifests ?? []).filter(
      (m) => !m.platform || (m.platform.os === platform.os && m.platform.architecture === platform.architecture),
    );
    // attestation manifests (buildx) carry platform unknown/unknown and are never images to load
    for (const c of candidates) {
      const got = pickManifest(a, c, platform, f.name, depth + 1);
      if (got) return got;
    }
    return null;
  }
  if (d.platform && (d.platform.os !== platform.os || d.platform.architecture !== platform.architecture)) return null;
  const f = verifiedBlob(a, d, 'manifest');
  const man = json<OciManifest>(f, f.name);
  if (man.schemaVersion !== 2) throw invalid(`${f.name}: manifest schemaVersion must be 2`, f.name);
  if (!man.config || !Array.isArray(man.layers)) throw invalid(`${f.name}: manifest has no config or layers`, f.name);
  const configFile = verifiedBlob(a, man.config, 'config');
  const parsed = parseConfig(configFile, configFile.name);
  const diffIds = parsed.rootfs.diff_ids;
  if (man.layers.length !== diffIds.length)
    throw invalid(`${f.name}: manifest has ${man.layers.length} layers but the config has ${diffIds.length} diff_ids`, f.name);
  checkDepth(man.layers.length, f.name);
  const layers = man.layers.map((ld, i): ParsedLayer => {
    const staged = verifiedBlob(a, ld, `layer ${i}`);
    const declared = compressionOfMediaType(ld.mediaType ?? '');
    if (declared === 'unknown')
      throw new BoxlabError('Unsupported', `${staged.name}: unsupported layer media type ${ld.mediaType}`, { member: staged.name });
    return { staged, diffId: checkLayer(staged, diffIds[i]!, i, staged.name), descriptor: { mediaType: ld.mediaType, digest: ld.digest, size: ld.size } };
  });
  return {
    config: { digest: configFile.digest, bytes: configFile.data!, parsed },
    manifest: { digest: f.digest, bytes: f.data! },
    layers,
  };
}

/** Tags from an index entry: containerd's full name first, else the OCI ref name if it is one. */
function tagsOf(ann: Record<string, string> | undefined): string[] {
  const full = ann?.['io.containerd.image.name'];
  const ref = ann?.['org.opencontainers.image.ref.name'];
  for (const candidate of [full, ref]) {
    if (!candidate) continue;
    try {
      // a bare tag (`latest`, as Docker 25+ writes beside the full name) names no repository
      if (candidate === full || candidate.includes(':') || candidate.includes('/')) return [normalizeTag(candidate)];
    } catch {
      /* not a reference: no tag */
    }
  }
  return [];
}

export { fullString, parseReference };
