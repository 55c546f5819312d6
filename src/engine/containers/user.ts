/**
 * Who a container's process runs as: `--user` / the image's USER, resolved against the container's
 * own /etc/passwd and /etc/group as runc's user.GetExecUser does: a name or a number, `user:group`,
 * supplementary groups from /etc/group, HOME from the passwd entry, `/` when there is none (runc's
 * default ExecUser: uid 0, gid 0, home `/`, used as is when the image has no /etc/passwd).
 */
import { BoxlabError } from '../../errors.js';
import type { FsContext } from '../../vfs/context.js';

/** A user or group the container's files do not name: the daemon refuses before anything runs. */
export class UserLookupError extends BoxlabError {
  constructor(message: string) {
    super('InvalidArgument', message);
  }
}

export interface ExecUser {
  uid: number;
  gid: number;
  groups: number[];
  home: string;
}

function readLines(ctx: FsContext, path: string): string[][] {
  try {
    return ctx
      .readFile(path)
      .toString('utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

/** HostConfig.GroupAdd (`--group-add`), the names and numbers as given. */
export function groupAddOf(h: Readonly<Record<string, unknown>>): string[] {
  return Array.isArray(h.GroupAdd) ? h.GroupAdd.filter((g): g is string => typeof g === 'string') : [];
}

/**
 * runc user.GetAdditionalGroups, as moby's getUser applies `--group-add`: a group's name or number
 * from /etc/group, else any number; a name the file lacks is refused at start.
 */
function additionalGroups(group: string[][], add: readonly string[]): number[] {
  const out: number[] = [];
  for (const ag of add) {
    const g = group.find((e) => e[0] === ag || e[2] === ag);
    if (g) out.push(Number(g[2]));
    else if (/^\d+$/.test(ag)) out.push(Number(ag));
    else throw new UserLookupError(`Unable to find group ${ag}: no matching entries in group file`);
  }
  return [...new Set(out)];
}

export function resolveUser(ctx: FsContext, spec: string, groupAdd: readonly string[] = []): ExecUser {
  const [userPart = '', groupPart] = spec.split(':', 2) as [string, string?];
  const passwd = readLines(ctx, '/etc/passwd');
  const group = readLines(ctx, '/etc/group');
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined = 'root';
  if (userPart !== '') {
    const entry = passwd.find((p) => p[0] === userPart) ?? (/^\d+$/.test(userPart) ? passwd.find((p) => p[2] === userPart) : undefined);
    if (entry) {
      name = entry[0];
      uid = Number(entry[2]);
      gid = Number(entry[3]);
      home = entry[5] ?? '';
    } else if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
      name = undefined;
      home = '/';
    } else throw new UserLookupError(`unable to find user ${userPart}: no matching entries in passwd file`);
  } else {
    const root = passwd.find((p) => p[2] === '0');
    if (root) home = root[5] ?? '';
  }
  if (groupPart !== undefined && groupPart !== '') {
    const g = group.find((e) => e[0] === groupPart) ?? (/^\d+$/.test(groupPart) ? group.find((e) => e[2] === groupPart) : undefined);
    if (g) gid = Number(g[2]);
    else if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else throw new UserLookupError(`unable to find group ${groupPart}: no matching entries in group file`);
  }
  const groups = name && groupPart === undefined ? group.filter((g) => (g[3] ?? '').split(',').includes(name!)).map((g) => Number(g[2])) : [];
  // runc's supplementary groups hold the primary group when /etc/group gives none (measured: `-u
  // 65534:100` → `id` says groups=100), and the kernel keeps them sorted (groups_sort)
  const sgids = [...(groups.length ? groups : [gid]), ...additionalGroups(group, groupAdd)];
  return { uid, gid, groups: [...new Set(sgids)].sort((a, b) => a - b), home };
}
