/**
 * What a container asks to have mounted, parsed and validated as moby 20.10 does it
 * (volume/mounts/linux_parser.go: parseMountRaw for `-v` binds, ParseMountSpec/validateMountConfig for
 * `--mount`, and the daemon's tmpfs checks), into one list of mount specs. Pure: no filesystem is
 * touched except to ask whether a `--mount type=bind` source exists, which the caller answers.
 *
 * The messages are the engine's (measured on the 20.10 daemon here), e.g.
 *   invalid mode: bogus
 *   invalid volume specification: '/x:relative': invalid mount config for type "bind": invalid mount path: 'relative' mount path must be absolute
 *   invalid mount config for type "bind": bind source path does not exist: /no/such/dir
 *   Duplicate mount point: /a
 */
import { BoxlabError } from '../errors.js';

export type MountType = 'bind' | 'volume' | 'tmpfs';

export interface MountSpec {
  type: MountType;
  /** Host path (bind), volume name ('' for an anonymous volume), '' for tmpfs. */
  source: string;
  target: string;
  readOnly: boolean;
  /** The mode string of a `-v` spec as given (inspect's Mode), or what the engine shows for the others. */
  mode: string;
  /** Copy the image's content into an empty volume at first mount (volume only; off with nocopy). */
  copyData: boolean;
  propagation: string;
  /** tmpfs size in bytes and mode. */
  tmpfs?: { size?: number; mode?: number };
  /** `-v` makes a missing bind source; `--mount` refuses. */
  createSource: boolean;
  /** Where it came from: the anonymous volumes of Config.Volumes show Mode "" in inspect. */
  from: 'binds' | 'mounts' | 'tmpfs' | 'config';
}

/** A `--mount` entry as the API carries it (api/types/mount.Mount). */
export interface ApiMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: unknown };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

const PROPAGATION = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'];
const CONSISTENCY = ['consistent', 'cached', 'delegated'];

/** linux_parser.go ValidMountMode: at most one of rw/ro, of a propagation, of nocopy; labels z/Z. */
export function validMode(mode: string): boolean {
  if (mode === '') return true;
  const seen = { rw: 0, prop: 0, copy: 0, label: 0, cons: 0 };
  for (const o of mode.split(',')) {
    if (o === 'rw' || o === 'ro') seen.rw++;
    else if (PROPAGATION.includes(o)) seen.prop++;
    else if (o === 'nocopy') seen.copy++;
    else if (o === 'z' || o === 'Z') seen.label++;
    else if (CONSISTENCY.includes(o)) seen.cons++;
    else return false;
  }
  return Object.values(seen).every((n) => n <= 1);
}

const bad = (message: string) => new BoxlabError('InvalidArgument', message);
const mountConfig = (type: string, why: string) => bad(`invalid mount config for type "${type}": ${why}`);

/** The checks every mount's target meets (validateMountConfig's target part). */
function checkTarget(type: string, target: string): void {
  if (!target) throw mountConfig(type, 'field Target must not be empty');
  if (!target.startsWith('/')) throw mountConfig(type, `invalid mount path: '${target}' mount path must be absolute`);
  if (cleanPath(target) === '/') throw mountConfig(type, "invalid specification: destination can't be '/'");
}

/** Go's path.Clean for absolute paths: no `.`, `..` resolved lexically, no trailing slash. */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return `/${out.join('/')}`;
}

/** One `-v` / Binds entry: `[src:]dst[:mode]`; src absolute for a bind, a name (or none) for a volume. */
export function parseBind(raw: string): MountSpec {
  const arr = raw.split(':');
  let source = '';
  let target: string;
  let mode = '';
  if (arr.length === 1) target = arr[0]!;
  else if (arr.length === 2) {
    if (validMode(arr[1]!)) [target, mode] = [arr[0]!, arr[1]!];
    else [source, target] = [arr[0]!, arr[1]!];
  } else if (arr.length === 3) {
    [source, target, mode] = [arr[0]!, arr[1]!, arr[2]!];
    if (!validMode(mode)) throw bad(`invalid mode: ${mode}`);
  } else throw bad(`invalid volume specification: '${raw}'`);
  const type: MountType = source.startsWith('/') ? 'bind' : 'volume';
  const opts = mode.split(',');
  try {
    checkTarget(type, target);
  } catch (e) {
    throw bad(`invalid volume specification: '${raw}': ${(e as Error).message}`);
  }
  return {
    type,
    source: type === 'bind' ? cleanPath(source) : source,
    target: cleanPath(target),
    readOnly: opts.includes('ro'),
    // the engine shows a named volume's empty mode as "z" (its default SELinux label), as measured
    mode: mode === '' && type === 'volume' ? 'z' : mode,
    copyData: type === 'volume' && !opts.includes('nocopy'),
    propagation: type === 'bind' ? (opts.find((o) => PROPAGATION.includes(o)) ?? 'rprivate') : '',
    createSource: true,
    from: 'binds',
  };
}

/** One `--mount` / HostConfig.Mounts entry, validated as validateMountConfig does. */
export function parseApiMount(m: ApiMount, exists: (hostPath: string) => boolean): MountSpec {
  const raw = m.Type ?? '';
  if (raw !== 'bind' && raw !== 'volume' && raw !== 'tmpfs') throw bad(`invalid mount config: mount type unknown: "${raw}"`);
  const type: MountType = raw;
  const source = m.Source ?? '';
  const target = m.Target ?? '';
  checkTarget(type, target);
  const base = { type, target: cleanPath(target), readOnly: !!m.ReadOnly, mode: '', copyData: false, propagation: '', createSource: false, from: 'mounts' as const };
  if (type === 'bind') {
    if (m.VolumeOptions) throw mountConfig(type, 'field VolumeOptions must not be specified');
    if (m.TmpfsOptions) throw mountConfig(type, 'field TmpfsOptions must not be specified');
    if (!source) throw mountConfig(type, 'field Source must not be empty');
    if (!source.startsWith('/')) throw mountConfig(type, `invalid mount path: '${source}' mount path must be absolute`);
    if (!exists(source)) throw mountConfig(type, `bind source path does not exist: ${source}`);
    return { ...base, source: cleanPath(source), propagation: m.BindOptions?.Propagation || 'rprivate' };
  }
  if (type === 'volume') {
    if (m.BindOptions) throw mountConfig(type, 'field BindOptions must not be specified');
    if (m.TmpfsOptions) throw mountConfig(type, 'field TmpfsOptions must not be specified');
    return { ...base, source, mode: 'z', copyData: !m.VolumeOptions?.NoCopy };
  }
  if (source) throw mountConfig(type, 'field Source must not be specified');
  if (m.BindOptions) throw mountConfig(type, 'field BindOptions must not be specified');
  if (m.VolumeOptions) throw mountConfig(type, 'field VolumeOptions must not be specified');
  const t = m.TmpfsOptions ?? {};
  return { ...base, source: '', tmpfs: { ...(t.SizeBytes ? { size: t.SizeBytes } : {}), ...(t.Mode ? { mode: t.Mode } : {}) } };
}

/** `--tmpfs /dst[:opts]` (HostConfig.Tmpfs): size= in bytes with k/m/g, mode= in octal, as mount(8) takes them. */
export function parseTmpfs(target: string, options: string): MountSpec {
  if (!target.startsWith('/')) throw bad(`invalid mount path: '${target}' mount path must be absolute`);
  const tmpfs: { size?: number; mode?: number } = {};
  let readOnly = false;
  for (const o of options.split(',').filter(Boolean)) {
    const [k, v = ''] = o.split('=', 2) as [string, string?];
    if (k === 'size') {
      const m = /^(\d+)([kmg]?)$/i.exec(v);
      if (m) tmpfs.size = Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]!.toLowerCase()]!;
    } else if (k === 'mode') tmpfs.mode = parseInt(v, 8);
    else if (k === 'ro') readOnly = true;
  }
  return { type: 'tmpfs', source: '', target: cleanPath(target), readOnly, mode: '', copyData: false, propagation: '', tmpfs, createSource: false, from: 'tmpfs' };
}

export interface MountRequest {
  binds?: readonly string[] | null;
  mounts?: readonly ApiMount[] | null;
  tmpfs?: Readonly<Record<string, string>> | null;
  /** Config.Volumes: destinations that get an anonymous volume unless something else is mounted there. */
  volumes?: Readonly<Record<string, unknown>> | null;
}

/**
 * Every mount of a container, in the order the engine registers them: binds, then --mount, then
 * --tmpfs, then anonymous volumes for Config.Volumes left uncovered; a destination used twice by
 * the first three is `Duplicate mount point`.
 */
export function planMounts(req: MountRequest, exists: (hostPath: string) => boolean): MountSpec[] {
  const out: MountSpec[] = [];
  const taken = new Set<string>();
  const add = (s: MountSpec) => {
    if (taken.has(s.target)) throw bad(`Duplicate mount point: ${s.target}`);
    taken.add(s.target);
    out.push(s);
  };
  for (const b of req.binds ?? []) add(parseBind(b));
  for (const m of req.mounts ?? []) add(parseApiMount(m, exists));
  for (const [t, o] of Object.entries(req.tmpfs ?? {})) add(parseTmpfs(t, o));
  for (const dst of Object.keys(req.volumes ?? {})) {
    const target = cleanPath(dst);
    if (taken.has(target)) continue;
    taken.add(target);
    out.push({ type: 'volume', source: '', target, readOnly: false, mode: '', copyData: true, propagation: '', createSource: false, from: 'config' });
  }
  return out;
}
