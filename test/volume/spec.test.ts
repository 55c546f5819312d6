/**
 * `-v`, `--mount` and `--tmpfs` as the 20.10 engine parses them, with its messages (each measured on
 * the engine here; see test/oracle/scenarios/volumes-more.sh for the same through the docker CLI).
 */
import { describe, expect, it } from 'vitest';
import { cleanPath, parseApiMount, parseBind, parseTmpfs, planMounts, validMode } from '../../src/volume/spec.js';

const msg = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'ok';
};

describe('mount specs', () => {
  it('tells a bind (absolute source) from a named and an anonymous volume', () => {
    expect(parseBind('/host/dir:/dst:ro')).toMatchObject({ type: 'bind', source: '/host/dir', target: '/dst', readOnly: true, mode: 'ro', propagation: 'rprivate', createSource: true });
    expect(parseBind('vol:/data')).toMatchObject({ type: 'volume', source: 'vol', readOnly: false, mode: 'z', copyData: true });
    expect(parseBind('vol:/data:nocopy')).toMatchObject({ mode: 'nocopy', copyData: false });
    expect(parseBind('/anon')).toMatchObject({ type: 'volume', source: '', target: '/anon' });
    expect(parseBind('/anon:ro')).toMatchObject({ type: 'volume', source: '', readOnly: true });
  });

  it('refuses what the engine refuses, in its words', () => {
    expect(msg(() => parseBind('x:/a:bogus'))).toBe('invalid mode: bogus');
    expect(msg(() => parseBind('x:/a:rw,ro'))).toBe('invalid mode: rw,ro');
    expect(msg(() => parseBind('/x:relative'))).toBe(
      `invalid volume specification: '/x:relative': invalid mount config for type "bind": invalid mount path: 'relative' mount path must be absolute`,
    );
    expect(msg(() => parseBind('/h:/'))).toBe(`invalid volume specification: '/h:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
    expect(msg(() => parseBind('a:b:c:d'))).toBe(`invalid volume specification: 'a:b:c:d'`);
    expect(msg(() => parseApiMount({ Type: 'bind', Source: '/no/such/dir', Target: '/y' }, () => false))).toBe(
      'invalid mount config for type "bind": bind source path does not exist: /no/such/dir',
    );
    expect(msg(() => parseApiMount({ Type: 'bind', Target: '/t' }, () => true))).toBe('invalid mount config for type "bind": field Source must not be empty');
    expect(msg(() => parseApiMount({ Type: 'bind', Source: 'rel', Target: '/t' }, () => true))).toBe(
      `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`,
    );
    expect(msg(() => parseApiMount({ Type: 'tmpfs', Source: 'x', Target: '/t' }, () => true))).toBe('invalid mount config for type "tmpfs": field Source must not be specified');
    expect(msg(() => parseTmpfs('relative', ''))).toBe(`invalid mount path: 'relative' mount path must be absolute`);
  });

  it('reads --mount options: readonly, volume-nocopy, tmpfs size and mode', () => {
    expect(parseApiMount({ Type: 'volume', Source: 'v', Target: '/v', ReadOnly: true }, () => true)).toMatchObject({ readOnly: true, mode: 'z', copyData: true });
    expect(parseApiMount({ Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { NoCopy: true } }, () => true)).toMatchObject({ copyData: false });
    expect(parseApiMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 4096, Mode: 0o1770 } }, () => true)).toMatchObject({ tmpfs: { size: 4096, mode: 0o1770 } });
    expect(parseTmpfs('/t', 'size=2k,mode=700')).toMatchObject({ tmpfs: { size: 2048, mode: 0o700 } });
  });

  it('plans binds, mounts, tmpfs, then the image`s volumes not covered, and refuses a destination twice', () => {
    const plan = planMounts({ binds: ['v:/a'], mounts: [{ Type: 'tmpfs', Target: '/b' }], tmpfs: { '/c': '' }, volumes: { '/a': {}, '/d/': {} } }, () => true);
    expect(plan.map((s) => `${s.type}:${s.target}:${s.from}`)).toEqual(['volume:/a:binds', 'tmpfs:/b:mounts', 'tmpfs:/c:tmpfs', 'volume:/d:config']);
    expect(plan[3]!.mode).toBe('');
    expect(msg(() => planMounts({ binds: ['v:/a'], tmpfs: { '/a': '' } }, () => true))).toBe('Duplicate mount point: /a');
  });

  it('validates mode strings as ValidMountMode does', () => {
    for (const ok of ['', 'ro', 'rw', 'ro,Z', 'nocopy', 'rshared', 'ro,z,nocopy,rprivate,cached']) expect(validMode(ok)).toBe(true);
    for (const bad of ['bogus', 'rw,ro', 'z,Z', 'shared,private']) expect(validMode(bad)).toBe(false);
    expect(cleanPath('/a/./b/../c/')).toBe('/a/c');
  });
});
