/**
 * `--volumes-from C[:ro|:rw]` (HostConfig.VolumesFrom), as moby 20.10's registerMountPoints does it
 * (daemon/volumes.go): every mount point of container C is copied into the new container, its RW
 * kept unless the spec says `ro`, its Mode left empty, never filled from the image; a later
 * `--volumes-from` with the same destination wins; a bind, `-v` or `--mount` at the same destination
 * replaces the inherited one, and the image's (or Config's) anonymous VOLUMEs give way to it.
 * volume/mounts/parser.go ParseVolumesFrom decides the modes: `C` alone is rw, a mode must be valid
 * and may not carry `nocopy` or a propagation. Measured on the 20.10 daemon here
 * (test/oracle/scenarios/volumes-from.sh): `invalid mode: bogus`, `invalid mode: ro,rw`,
 * `No such container: nope`, all three answered 400 (measured with curl: a missing container here is a
 * bad parameter of the create, not a 404, so the CLI does not go and pull the image).
 */
import { BoxlabError } from '../errors.js';
import { validMode, type MountSpec } from '../volume/spec.js';
import type { MountPoint } from './containers/record.js';

const PROPAGATION = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'];

/** ParseVolumesFrom: the container's reference and whether its mounts stay writable. */
export function parseVolumesFrom(spec: string): { ref: string; rw: boolean } {
  if (spec === '') throw new BoxlabError('InvalidArgument', 'volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  if (colon < 0) return { ref: spec, rw: true };
  const mode = spec.slice(colon + 1);
  const opts = mode.split(',');
  // copy modes and propagation are the source container's business, not the importer's
  if (!validMode(mode) || opts.includes('nocopy') || opts.some((o) => PROPAGATION.includes(o))) throw new BoxlabError('InvalidArgument', `invalid mode: ${mode}`);
  return { ref: spec.slice(0, colon), rw: !opts.includes('ro') };
}

/**
 * The mount points a container inherits, in the order of its VolumesFrom (a later one with the same
 * destination replacing an earlier one). `mountsOf` answers a container's Mounts, or throws NotFound.
 */
export function inheritedMounts(specs: readonly string[] | null | undefined, mountsOf: (ref: string) => readonly MountPoint[]): MountPoint[] {
  const byDest = new Map<string, MountPoint>();
  for (const spec of specs ?? []) {
    const { ref, rw } = parseVolumesFrom(spec);
    let mounts: readonly MountPoint[];
    try {
      mounts = mountsOf(ref);
    } catch (e) {
      if (e instanceof BoxlabError && e.code === 'NotFound') throw new BoxlabError('InvalidArgument', e.message);
      throw e;
    }
    for (const m of mounts) {
      byDest.delete(m.Destination);
      byDest.set(m.Destination, { ...m, Mode: '', RW: m.RW && rw });
    }
  }
  return [...byDest.values()];
}

/**
 * Merges inherited mount points into a container's own specs at create: its binds and `--mount`s
 * replace an inherited mount at the same destination; its Config/image anonymous volumes give way to
 * one (moby: IsDestinationMounted). The inherited that remain, and the specs that remain.
 */
export function mergeInherited(specs: MountSpec[], inherited: MountPoint[]): { specs: MountSpec[]; inherited: MountPoint[] } {
  const own = new Set(specs.filter((s) => s.from !== 'config').map((s) => s.target));
  const kept = inherited.filter((m) => !own.has(m.Destination));
  const taken = new Set(kept.map((m) => m.Destination));
  return { specs: specs.filter((s) => !(s.from === 'config' && taken.has(s.target))), inherited: kept };
}

/** A recorded mount point as a spec to mount again at start (an inherited one has no spec of its own). */
export function specOfMountPoint(m: MountPoint): MountSpec {
  return {
    type: m.Type,
    source: m.Type === 'volume' ? (m.Name ?? '') : m.Source,
    target: m.Destination,
    readOnly: !m.RW,
    mode: m.Mode,
    copyData: false,
    propagation: m.Propagation,
    createSource: false,
    from: 'mounts',
  };
}
