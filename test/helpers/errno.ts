import { FsError } from '../../src/errors.js';

/** The errno a filesystem call fails with, or 'ok'; anything but an FsError is rethrown. */
export function errno(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FsError) return e.errno;
    throw e;
  }
  return 'ok';
}
