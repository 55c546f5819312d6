/**
 * Users and groups by number and by name, read from the process's own /etc/passwd and /etc/group
 * (busybox-static is built without NSS, so these two files are all it reads), and the
 * human-readable sizes of `ls -h`, `du -h`, `df -h` (libbb make_human_readable_str).
 */
import type { Ctx } from './common.js';
import { rethrowKilled, readAll } from './common.js';

export interface Account {
  name: string;
  id: number;
  /** passwd: the primary gid; group: unused. */
  gid: number;
  home: string;
  /** group: its member names. */
  members: string[];
}

async function readDb(c: Ctx, path: string, kind: 'passwd' | 'group'): Promise<Account[]> {
  let text: string;
  try {
    const r = await c.fs.openRead(path);
    text = (await readAll(r)).toString();
    r.close();
  } catch (e) {
    rethrowKilled(e);
    return [];
  }
  const out: Account[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) continue;
    out.push(
      kind === 'passwd'
        ? { name: f[0]!, id: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '', members: [] }
        : { name: f[0]!, id: Number(f[2]), gid: 0, home: '', members: (f[3] ?? '').split(',').filter(Boolean) },
    );
  }
  return out;
}

/** The account databases of one applet run, read once. */
export class Names {
  private users?: Account[];
  private groups?: Account[];
  constructor(private readonly c: Ctx) {}

  async passwd(): Promise<Account[]> {
    return (this.users ??= await readDb(this.c, '/etc/passwd', 'passwd'));
  }
  async group(): Promise<Account[]> {
    return (this.groups ??= await readDb(this.c, '/etc/group', 'group'));
  }
  async userName(uid: number): Promise<string | undefined> {
    return (await this.passwd()).find((a) => a.id === uid)?.name;
  }
  async groupName(gid: number): Promise<string | undefined> {
    return (await this.group()).find((a) => a.id === gid)?.name;
  }
  async user(name: string): Promise<Account | undefined> {
    return (await this.passwd()).find((a) => a.name === name);
  }
  async groupByName(name: string): Promise<Account | undefined> {
    return (await this.group()).find((a) => a.name === name);
  }
}

/**
 * libbb make_human_readable_str(size, 1, 0): plain below 1024, else one decimal and a unit letter,
 * the fraction rounded from the last division only (1048575 → "1024.0K").
 */
export function humanSize(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let val = Math.floor(bytes);
  let frac = 0;
  let u = 0;
  while (val >= 1024 && u < units.length - 1) {
    frac = val % 1024;
    val = Math.floor(val / 1024);
    u++;
  }
  if (u === 0) return String(val);
  frac = Math.floor((frac * 10 + 512) / 1024);
  if (frac >= 10) {
    val++;
    frac = 0;
  }
  return `${val}.${frac}${units[u]}`;
}
