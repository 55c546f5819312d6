/**
 * The API versions boxlab speaks: Engine 20.10's (api/common.go DefaultVersion 1.41, MinVersion
 * 1.12), compared as moby's api/types/versions does: dot-separated numbers, a missing part is 0.
 */
export const API_VERSION = '1.41';
export const MIN_API_VERSION = '1.12';

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.parseInt(pa[i] ?? '0', 10) || 0;
    const y = Number.parseInt(pb[i] ?? '0', 10) || 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export const versionLess = (a: string, b: string) => compareVersions(a, b) < 0;
