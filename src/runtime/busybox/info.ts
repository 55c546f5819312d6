/**
 * Who and where: id, whoami, hostname, uname, date, pwd, basename, dirname, nproc, sync, usleep
 * (busybox coreutils/id.c, uname.c, date.c, ...), with their output formats.
 */
import type { ExitCode } from '../program.js';
import { applet, baseName, getopt, type Ctx } from './common.js';
import { ext, uname as getUname } from './ext.js';
import { Names } from './names.js';
import { canonicalHostName, resolveHost } from './net.js';
import { parseDate, strftime } from './when.js';

async function idOf(c: Ctx, names: Names, user: string | undefined) {
  if (user === undefined) {
    const { uid, gid, groups } = c.p.cred;
    return { uid, gid, groups: [...groups] };
  }
  const acct = (await names.user(user)) ?? (/^\d+$/.test(user) ? (await names.passwd()).find((a) => a.id === Number(user)) : undefined);
  if (!acct) return null;
  // getgrouplist(3): the primary group first, then each group that lists the user.
  const groups = [acct.gid, ...(await names.group()).filter((g) => g.members.includes(acct.name) && g.id !== acct.gid).map((g) => g.id)];
  return { uid: acct.id, gid: acct.gid, groups };
}

export const id = applet('id', async (c) => {
  const a = await getopt(c, 'ugGnr');
  if (!a) return 1;
  const names = new Names(c);
  const who = await idOf(c, names, a.args[0]);
  if (!who) {
    await c.error(`unknown user ${a.args[0]}`);
    return 1;
  }
  const f = (ch: string) => a.opts.has(ch);
  const userName = async (u: number) => (await names.userName(u)) ?? String(u);
  const groupName = async (g: number) => (await names.groupName(g)) ?? String(g);
  if (f('u') || f('g') || f('G')) {
    if (f('G')) {
      // With no supplementary groups busybox prints the primary one.
      const gids = who.groups.length > 0 ? who.groups : [who.gid];
      const list = await Promise.all(gids.map((g) => (f('n') ? groupName(g) : String(g))));
      await c.out.write(list.join(' ') + '\n');
    } else if (f('u')) await c.out.write((f('n') ? await userName(who.uid) : String(who.uid)) + '\n');
    else await c.out.write((f('n') ? await groupName(who.gid) : String(who.gid)) + '\n');
    return 0;
  }
  const named = async (n: number, name: string | undefined) => (name === undefined ? String(n) : `${n}(${name})`);
  let s = `uid=${await named(who.uid, await names.userName(who.uid))} gid=${await named(who.gid, await names.groupName(who.gid))}`;
  if (who.groups.length > 0) {
    const gs = await Promise.all(who.groups.map(async (g) => named(g, await names.groupName(g))));
    s += ` groups=${gs.join(',')}`;
  }
  await c.out.write(s + '\n');
  return 0;
});

export const whoami = applet('whoami', async (c) => {
  const a = await getopt(c, '');
  if (!a) return 1;
  if (a.args.length > 0) return c.usage();
  const name = await new Names(c).userName(c.p.cred.uid);
  if (name === undefined) {
    await c.error(`unknown uid ${c.p.cred.uid}`);
    return 1;
  }
  await c.out.write(name + '\n');
  return 0;
});

/** busybox dnsdomainname: `hostname -d` under its own name. */
export const dnsdomainname = applet('dnsdomainname', async (c) => {
  const a = await getopt(c, '');
  if (!a) return 1;
  if (a.args.length > 0) return c.usage();
  return printCanonical(c, c.p.sys.hostname(), 'd');
});

/**
 * hostname.c with -d or -f: the canonical name gethostbyname gives (-f), or what follows its first
 * dot (-d, nothing at all without one); a name nobody resolves dies as -i does.
 */
async function printCanonical(c: Ctx, name: string, opt: 'd' | 'f'): Promise<number> {
  const canon = await canonicalHostName(c, name);
  if (canon === undefined) {
    const offline = (c.p.sys.net?.()?.addresses().length ?? 0) === 0;
    await c.error(`${name}: ${offline ? 'Host name lookup failure' : 'Unknown host'}`);
    return 1;
  }
  const dot = canon.indexOf('.');
  if (opt === 'f') await c.out.write(canon + '\n');
  else if (dot >= 0) await c.out.write(canon.slice(dot + 1) + '\n');
  return 0;
}

export const hostname = applet('hostname', async (c) => {
  const a = await getopt(c, 'sidfF:');
  if (!a) return 1;
  if (a.args.length > 0 || a.opts.has('F')) {
    // sethostname(2) needs CAP_SYS_ADMIN, which Docker does not give a container.
    await c.error('sethostname: Operation not permitted');
    return 1;
  }
  const name = c.p.sys.hostname();
  const dot = name.indexOf('.');
  // hostname.c: -d, -f (and -i) go through gethostbyname; -s alone cuts the hostname itself
  if (a.opts.has('f') || a.opts.has('d')) return printCanonical(c, name, a.opts.has('f') ? 'f' : 'd');
  if (a.opts.has('s')) await c.out.write((dot < 0 ? name : name.slice(0, dot)) + '\n');
  else if (a.opts.has('i')) {
    // gethostbyname(hostname): /etc/hosts first, as the container's resolver does
    const ips = await resolveHost(c, name);
    if (ips.length === 0) {
      // h_errno: no server could be asked (no network) is TRY_AGAIN, an unknown name HOST_NOT_FOUND
      const offline = (c.p.sys.net?.()?.addresses().length ?? 0) === 0;
      await c.error(`${name}: ${offline ? 'Host name lookup failure' : 'Unknown host'}`);
      return 1;
    }
    await c.out.write(ips.join(' ') + '\n');
  }
  else await c.out.write(name + '\n');
  return 0;
});

export const uname = applet('uname', async (c) => {
  const a = await getopt(c, 'asnrvmpio');
  if (!a) return 1;
  if (a.args.length > 0) return c.usage();
  const u = getUname(c.p);
  const f = (ch: string) => a.opts.has(ch) || a.opts.has('a');
  const fields: string[] = [];
  if (f('s') || a.opts.size === 0) fields.push(u.sysname);
  if (f('n')) fields.push(u.nodename);
  if (f('r')) fields.push(u.release);
  if (f('v')) fields.push(u.version);
  if (f('m')) fields.push(u.machine);
  // -a leaves out -p and -i when they are "unknown", as busybox does.
  if (a.opts.has('p')) fields.push('unknown');
  if (a.opts.has('i')) fields.push('unknown');
  if (f('o')) fields.push('GNU/Linux');
  await c.out.write(fields.join(' ') + '\n');
  return 0;
});

export const date = applet('date', async (c) => {
  const a = await getopt(c, 'uRId:s:D:r:');
  if (!a) return 1;
  let t = Math.floor(c.p.sys.now() / 1000);
  if (a.opts.has('s')) {
    await c.error("can't set date: Operation not permitted");
    return 1;
  }
  const d = a.opts.get('d');
  if (typeof d === 'string') {
    const parsed = parseDate(d, c.p.sys.now());
    if (parsed === null) {
      await c.error(`invalid date '${d}'`);
      return 1;
    }
    t = parsed;
  }
  const r = a.opts.get('r');
  if (typeof r === 'string') {
    try {
      t = (await c.fs.stat(r)).mtime;
    } catch (e) {
      await c.perror(r, e);
      return 1;
    }
  }
  let fmt = '%a %b %e %H:%M:%S %Z %Y';
  if (a.opts.has('R')) fmt = '%a, %d %b %Y %H:%M:%S %z';
  if (a.opts.has('I')) fmt = '%Y-%m-%d';
  const plus = a.args.find((s) => s.startsWith('+'));
  // busybox's strftime leaves %N alone (it has no nanoseconds conversion).
  if (plus !== undefined) fmt = plus.slice(1).replace(/%N/g, '%%N');
  await c.out.write(strftime(fmt, t) + '\n');
  return 0;
});

export const pwd = applet('pwd', async (c) => {
  const a = await getopt(c, 'LP');
  if (!a) return 1;
  await c.out.write(c.p.cwd + '\n');
  return 0;
});

export const basename = applet('basename', async (c) => {
  const a = await getopt(c, 'as:');
  if (!a) return 1;
  const suffix = a.opts.get('s');
  const multi = a.opts.has('a') || typeof suffix === 'string';
  if (a.args.length === 0 || (!multi && a.args.length > 2)) return c.usage();
  const strip = (name: string, suf: string | undefined) => {
    const b = baseName(name);
    return suf && b !== suf && b.endsWith(suf) ? b.slice(0, -suf.length) : b;
  };
  if (multi) {
    for (const n of a.args) await c.out.write(strip(n, typeof suffix === 'string' ? suffix : undefined) + '\n');
  } else await c.out.write(strip(a.args[0]!, a.args[1]) + '\n');
  return 0;
});

/** dirname(3) as POSIX defines it. */
export function dirName(p: string): string {
  const s = p.replace(/\/+$/, '');
  if (s === '') return p.startsWith('/') ? '/' : '.';
  const i = s.lastIndexOf('/');
  if (i < 0) return '.';
  const d = s.slice(0, i).replace(/\/+$/, '');
  return d === '' ? '/' : d;
}

export const dirname = applet('dirname', async (c) => {
  const a = await getopt(c, '');
  if (!a) return 1;
  if (a.args.length !== 1) return c.usage();
  await c.out.write(dirName(a.args[0]!) + '\n');
  return 0;
});

export const nproc = applet('nproc', async (c) => {
  await c.out.write(`${ext(c.p).nproc?.() ?? 1}\n`);
  return 0;
});

export const sync = applet('sync', async (c) => {
  const a = await getopt(c, 'df');
  return a ? 0 : 1;
});

export const usleep = applet('usleep', async (c): Promise<ExitCode> => {
  const n = c.p.argv[1];
  if (n === undefined) return c.usage();
  if (!/^\d+$/.test(n)) {
    await c.error(`invalid number '${n}'`);
    return 1;
  }
  await c.p.sys.sleep(Number(n) / 1000);
  return 0;
});
