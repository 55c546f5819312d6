/**
 * The calling process of a filesystem call (the kernel's `current`): what /proc/self names and
 * whose namespaces /proc/self/mounts shows. The model's filesystem calls are synchronous under
 * their async port, so the kernel sets the caller around each call; a read of an opened file
 * re-reads through the port, so the caller is set around every read too.
 */
import type { FsPort } from './fsport.js';
import type { Proc } from './process.js';
import type { Source } from './stream.js';

let caller: Proc | null = null;

/** The process whose call is running, or null for the engine's own calls. */
export function currentProc(): Proc | null {
  return caller;
}

function as<T>(p: Proc, fn: () => T): T {
  const prev = caller;
  caller = p;
  try {
    return fn();
  } finally {
    caller = prev;
  }
}

/** `port` with `p` as the caller of each of its calls. */
export function callerPort(port: FsPort, p: Proc): FsPort {
  const out = {} as Record<string, unknown>;
  for (const [k, f] of Object.entries(port) as [string, (...a: unknown[]) => unknown][]) {
    out[k] = (...a: unknown[]) => as(p, () => f(...a));
  }
  const openRead = port.openRead.bind(port);
  out.openRead = async (path: string): Promise<Source> => {
    const src = await as(p, () => openRead(path));
    return { kind: src.kind, read: (max, abort) => as(p, () => src.read(max, abort)), close: () => src.close() };
  };
  return out as unknown as FsPort;
}
