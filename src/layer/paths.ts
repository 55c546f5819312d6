const UNCLEAN = /(^|\/)\.{0,2}(\/|$)|\/\/|^\//;

/**
 * Tar member names made safe the way umoci and containerd make them: joined onto `/` and
 * cleaned, so `../` and absolute names stay inside the root (`../../etc/x` is `etc/x`).
 * The result has no leading or trailing slash; the root itself is ''.
 */
export function cleanPath(name: string): string {
  // the common case, already clean (`usr/lib/x`, `etc/`): no empty, `.` or `..` component
  if (!UNCLEAN.test(name)) return name.endsWith('/') ? name.slice(0, -1) : name;
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function splitPath(path: string): { dir: string; base: string } {
  const i = path.lastIndexOf('/');
  return i < 0 ? { dir: '', base: path } : { dir: path.slice(0, i), base: path.slice(i + 1) };
}

/** Whiteout file names, OCI image-spec layer.md. */
export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
