/**
 * The volume service (moby's daemon/volume/service over the local driver): create, inspect, list
 * with filters, remove and prune volumes; and, for containers, the mounts they ask for: named volumes
 * made on first use, anonymous volumes for `-v /path`, `--mount type=volume` without a source and the
 * image's VOLUMEs, the image's content copied into an empty volume at create, binds of host
 * directories (confined, see vfs/hostfs.ts), tmpfs. A volume is in use while a container that
 * mounts it exists, running or not; `rm -v` and `--rm` remove a container's anonymous volumes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BoxlabError } from '../errors.js';
import type { FileSystem } from '../vfs/fs.js';
import { HostFs } from '../vfs/hostfs.js';
import { tmpfs } from '../vfs/vfs.js';
import { copyTree, hasContent } from '../volume/copy.js';
import { planMounts, type ApiMount, type MountSpec } from '../volume/spec.js';
import { newVolume, VolumeStore, type VolumeRecord } from '../volume/store.js';
import type { MountPoint, ContainerRecord } from './containers/record.js';
import type { ModelRuntime } from './containers/runtime.js';
import type { ContainerService } from './containers/service.js';
import type { EventBus } from './events.js';
import { inheritedMounts, mergeInherited, specOfMountPoint } from './volumesfrom.js';

/** Where inspect shows volumes: the Docker layout as a view (DESIGN.md), whatever the store's root. */
export const VOLUMES_VIEW = '/var/lib/docker/volumes';

/** A volume as the Engine API shows it (api/types Volume), keys in the engine's order. */
export interface VolumeJson {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local';
}

/** A mount the runtime puts in a container's namespace. */
export interface RuntimeMount {
  target: string;
  fs: FileSystem;
  readOnly: boolean;
  /** /proc/mounts' first field and per-mount flags. */
  source: string;
  flags: string[];
  type: 'bind' | 'volume' | 'tmpfs';
}

export type Filters = Map<string, string[]>;

const filterError = (msg: string) => new BoxlabError('InvalidArgument', msg);

export class VolumeService {
  readonly store: VolumeStore;
  /** Each container's bind mounts of its last start (each holds its host directory open until replaced). */
  private readonly binds = new Map<string, HostFs[]>();
  /** The containers that exist (set by the engine): who uses a volume. */
  containers: () => readonly ContainerRecord[] = () => [];
  /** A container's Mounts by reference, for --volumes-from (set by the engine; NotFound when missing). */
  private mountsOf: (ref: string) => readonly MountPoint[] = (ref) => {
    throw new BoxlabError('NotFound', `No such container: ${ref}`);
  };

  constructor(
    root: string,
    private readonly events: EventBus,
  ) {
    this.store = new VolumeStore(path.join(root, 'volumes'));
  }

  json(v: VolumeRecord): VolumeJson {
    return {
      CreatedAt: `${new Date(Math.floor(v.createdAt / 1000) * 1000).toISOString().slice(0, 19)}Z`,
      Driver: v.driver,
      Labels: Object.keys(v.labels).length ? v.labels : null,
      Mountpoint: `${VOLUMES_VIEW}/${v.name}/_data`,
      Name: v.name,
      Options: Object.keys(v.options).length ? v.options : null,
      Scope: 'local',
    };
  }

  /** Containers' volumes are this service's business: who uses a volume, what a create mounts. */
  wire(containers: ContainerService, runtime: ModelRuntime): void {
    this.containers = () => containers.all();
    this.mountsOf = (ref) => containers.get(ref).mounts;
    containers.mountHooks = {
      prepare: async (rec) => {
        try {
          return this.prepare(rec, await runtime.rootfs(rec));
        } catch (e) {
          await runtime.remove(rec);
          throw e;
        }
      },
      released: (rec, removeVolumes) => this.released(rec, removeVolumes),
    };
  }

  /**
   * `POST /volumes/create`: an existing name is answered as it is (the engine's idempotent create).
   * `anonymous`: made for a container's mount without a name (what `rm -v` and `--rm` remove).
   */
  create(req: { Name?: string; Driver?: string; DriverOpts?: Record<string, string> | null; Labels?: Record<string, string> | null } = {}, anonymous = false): VolumeRecord {
    const driver = req.Driver || 'local';
    const name = req.Name ?? '';
    if (driver !== 'local') throw new BoxlabError('NotFound', `create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const existing = name ? this.store.get(name) : undefined;
    if (existing) return existing;
    const rec = { ...newVolume(name || undefined, req.Labels ?? {}, req.DriverOpts ?? {}), anonymous };
    this.store.create(rec);
    this.events.emit('volume', 'create', rec.name, { driver: rec.driver });
    return rec;
  }

  get(name: string): VolumeRecord {
    const v = this.store.get(name);
    if (!v) throw new BoxlabError('NotFound', `get ${name}: no such volume`);
    return v;
  }

  /** IDs of the containers that mount `name`, oldest first, as the engine's reference list. */
  usersOf(name: string): string[] {
    return [...this.containers()]
      .filter((c) => c.mounts.some((m) => m.Type === 'volume' && m.Name === name))
      .sort((a, b) => a.created.localeCompare(b.created))
      .map((c) => c.id);
  }

  /** `GET /volumes` with filters dangling, name (substring), driver (exact), label (key or key=value). */
  list(filters: Filters = new Map()): VolumeRecord[] {
    for (const k of filters.keys()) if (!['dangling', 'name', 'driver', 'label'].includes(k)) throw filterError(`Invalid filter '${k}'`);
    let dangling: boolean | undefined;
    for (const d of filters.get('dangling') ?? []) {
      if (['true', '1'].includes(d)) dangling = true;
      else if (['false', '0'].includes(d)) dangling = false;
      else throw filterError(`Invalid filter 'dangling=[${d}]'`);
    }
    return this.store.all().filter((v) => {
      if (dangling !== undefined && (this.usersOf(v.name).length === 0) !== dangling) return false;
      const names = filters.get('name');
      if (names && !names.some((n) => v.name.includes(n))) return false;
      const drivers = filters.get('driver');
      if (drivers && !drivers.includes(v.driver)) return false;
      const labels = filters.get('label');
      return !labels || labels.every((l) => labelMatches(v.labels, l));
    });
  }

  /** `DELETE /volumes/{name}`: refused while a container uses it; `force` only ignores a missing one. */
  remove(name: string, force = false): void {
    const v = this.store.get(name);
    if (!v) {
      if (force) return;
      throw new BoxlabError('NotFound', `get ${name}: no such volume`);
    }
    const users = this.usersOf(name);
    if (users.length) throw new BoxlabError('FailedPrecondition', `remove ${name}: volume is in use - [${users.join(', ')}]`);
    this.store.remove(name);
    this.events.emit('volume', 'destroy', name, { driver: v.driver });
  }

  /** `POST /volumes/prune`: every unused local volume (20.10 prunes named ones too), filters label and label!. */
  prune(filters: Filters = new Map()): { deleted: string[]; reclaimed: number } {
    for (const k of filters.keys()) if (k !== 'label' && k !== 'label!') throw filterError(`Invalid filter '${k}'`);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.store.all()) {
      if (this.usersOf(v.name).length) continue;
      if (!(filters.get('label') ?? []).every((l) => labelMatches(v.labels, l))) continue;
      if ((filters.get('label!') ?? []).some((l) => labelMatches(v.labels, l))) continue;
      reclaimed += this.store.size(v.name);
      this.remove(v.name);
      deleted.push(v.name);
    }
    this.events.emit('volume', 'prune', '', { reclaimed: String(reclaimed) });
    return { deleted, reclaimed };
  }

  /**
   * At container create: every mount it asks for, validated; named volumes made, anonymous ones
   * created, and an empty volume filled from the image's directory (`rootfs`) unless `nocopy`.
   * Returns inspect's `Mounts` (tmpfs from --tmpfs is not listed there, as the engine shows it).
   */
  prepare(rec: ContainerRecord, rootfs: FileSystem): MountPoint[] {
    const h = rec.hostConfig;
    const from = inheritedMounts(h.VolumesFrom as string[] | null | undefined, this.mountsOf);
    const { specs, inherited } = mergeInherited(
      planMounts({ binds: h.Binds, mounts: (h.Mounts ?? null) as ApiMount[] | null, tmpfs: h.Tmpfs ?? null, volumes: rec.config.Volumes }, (p) => fs.existsSync(p)),
      from,
    );
    const out: MountPoint[] = [...inherited];
    for (const s of specs) {
      if (s.type === 'volume') {
        const v = this.create({ Name: s.source }, !s.source);
        if (s.copyData && this.store.isEmpty(v.name) && hasContent(rootfs, s.target)) copyTree(rootfs, s.target, this.store.fsOf(v.name));
        out.push(mountPoint(s, v.name));
      } else if (s.from !== 'tmpfs') out.push(mountPoint(s));
    }
    return out;
  }

  /** At start: the filesystems to mount, in the order of `specsOf` (binds made when `-v` names a missing directory). */
  runtimeMounts(rec: ContainerRecord): RuntimeMount[] {
    this.closeBinds(rec.id);
    const binds: HostFs[] = [];
    this.binds.set(rec.id, binds);
    const out: RuntimeMount[] = [];
    for (const s of this.specsOf(rec)) {
      if (s.type === 'tmpfs') {
        out.push({ target: s.target, fs: tmpfs(s.tmpfs ?? {}), readOnly: s.readOnly, source: 'tmpfs', flags: ['nosuid', 'nodev', 'noexec', 'relatime'], type: 'tmpfs' });
        continue;
      }
      out.push(this.hostMount(s, binds));
    }
    return out;
  }

  /**
   * A volume's or a bind's filesystem: a volume's handle is the store's; a bind is opened afresh and
   * added to `opened` (its owner closes it). moby: a missing `-v` source is made (MkdirAllAndChown,
   * 0755) when the container starts, and for a copy into a never-started container (measured).
   */
  private hostMount(s: MountSpec, opened: HostFs[]): RuntimeMount {
    let host: HostFs;
    if (s.type === 'volume') host = this.store.fsOf(s.source);
    else {
      if (s.createSource && !fs.existsSync(s.source)) fs.mkdirSync(s.source, { recursive: true, mode: 0o755 });
      host = new HostFs(s.source);
      opened.push(host);
    }
    return { target: s.target, fs: host, readOnly: s.readOnly, source: host.source, flags: host.flags, type: s.type as 'volume' | 'bind' };
  }

  /**
   * For `docker cp`: the container's volumes and binds, without touching what its running task holds
   * (moby daemon/archive.go mounts them again in the daemon's namespace, container.MountVolumes).
   * tmpfs mounts are left out: they live only in the container's namespace, so cp writes under them
   * in the rootfs. The binds are opened for this request alone; `close` releases their fds.
   */
  archiveMounts(rec: ContainerRecord): { mounts: RuntimeMount[]; close: () => void } {
    const opened: HostFs[] = [];
    const close = () => {
      for (const b of opened.splice(0)) b.close();
    };
    const out: RuntimeMount[] = [];
    try {
      for (const s of this.specsOf(rec)) {
        if (s.type !== 'tmpfs') out.push(this.hostMount(s, opened));
      }
    } catch (e) {
      close();
      throw e;
    }
    return { mounts: out, close };
  }

  private closeBinds(id: string): void {
    for (const b of this.binds.get(id) ?? []) b.close();
    this.binds.delete(id);
  }

  /**
   * The container's mounts as specs, anonymous volumes named as they were at create. Its recorded
   * Mounts decide where a spec of its own gave way (an image VOLUME under an inherited mount) and add
   * what --volumes-from brought, which has no spec of its own.
   */
  private specsOf(rec: ContainerRecord): MountSpec[] {
    const h = rec.hostConfig;
    const specs = planMounts({ binds: h.Binds, mounts: (h.Mounts ?? null) as ApiMount[] | null, tmpfs: h.Tmpfs ?? null, volumes: rec.config.Volumes }, () => true);
    const byDest = new Map(rec.mounts.map((m) => [m.Destination, m]));
    const own = specs.map((s) => {
      const m = byDest.get(s.target);
      if (!m || (s.from !== 'config' && s.type === m.Type)) return s.type === 'volume' && m ? { ...s, source: m.Name ?? s.source } : s;
      return specOfMountPoint(m);
    });
    const targets = new Set(own.map((s) => s.target));
    return [...own, ...rec.mounts.filter((m) => !targets.has(m.Destination)).map(specOfMountPoint)];
  }

  /** The container is gone: its anonymous volumes go too with `rm -v` or `--rm`, unless another container uses them. */
  released(rec: ContainerRecord, removeAnonymous: boolean): void {
    this.closeBinds(rec.id);
    if (!removeAnonymous) return;
    for (const m of rec.mounts) {
      if (m.Type !== 'volume' || !m.Name) continue;
      const v = this.store.get(m.Name);
      if (!v?.anonymous || this.usersOf(m.Name).some((id) => id !== rec.id)) continue;
      this.store.remove(m.Name);
      this.events.emit('volume', 'destroy', m.Name, { driver: v.driver });
    }
  }
}

/** inspect's MountPoint for a spec (moby types.MountPoint; binds show the host path, volumes the view). */
function mountPoint(s: MountSpec, volume?: string): MountPoint {
  if (s.type === 'volume')
    return { Type: 'volume', Name: volume!, Source: `${VOLUMES_VIEW}/${volume}/_data`, Destination: s.target, Driver: 'local', Mode: s.mode, RW: !s.readOnly, Propagation: '' };
  return { Type: s.type, Source: s.source, Destination: s.target, Mode: s.mode, RW: !s.readOnly, Propagation: s.propagation };
}

/** A `label` filter: `key` matches any value, `key=value` that value. */
function labelMatches(labels: Record<string, string>, f: string): boolean {
  const i = f.indexOf('=');
  if (i < 0) return f in labels;
  return labels[f.slice(0, i)] === f.slice(i + 1);
}
