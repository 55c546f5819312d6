/**
 * busybox ps (procps/ps.c without the desktop options), as Debian's busybox-static prints it:
 * `PID   USER     COMMAND`, then `%5u %-8.8s %s` per process of the caller's PID namespace, the
 * user named from /etc/passwd, a zombie's command shown as [name].
 */
import { posix } from 'node:path';
import { isKilled } from '../errno.js';
import type { Program, ProcessContext } from '../program.js';

async function readText(p: ProcessContext, path: string): Promise<string> {
  try {
    const r = await p.fs.openRead(path);
    const parts: Uint8Array[] = [];
    for (let b = await r.read(); b; b = await r.read()) parts.push(b);
    r.close();
    return Buffer.concat(parts).toString('utf8');
  } catch (e) {
    if (isKilled(e)) throw e;
    return '';
  }
}

/** uid → name from an /etc/passwd text. */
export function passwdNames(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2]!) && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]!);
  }
  return m;
}

/**
 * `-o` columns busybox knows (procps/ps.c out_spec): header, width, and whether the value is a
 * number (right-aligned). `args` takes the rest of the line; a last column is not padded.
 */
const COLUMNS: Record<string, { header: string; width: number; num: boolean }> = {
  user: { header: 'USER', width: 8, num: false },
  group: { header: 'GROUP', width: 8, num: false },
  comm: { header: 'COMMAND', width: 16, num: false },
  args: { header: 'COMMAND', width: 0, num: false },
  pid: { header: 'PID', width: 5, num: true },
  ppid: { header: 'PPID', width: 5, num: true },
  pgid: { header: 'PGID', width: 5, num: true },
  sid: { header: 'SID', width: 5, num: true },
  nice: { header: 'NI', width: 5, num: true },
  rgroup: { header: 'RGROUP', width: 8, num: false },
  ruser: { header: 'RUSER', width: 8, num: false },
  tty: { header: 'TT', width: 6, num: false },
  vsz: { header: 'VSZ', width: 4, num: true },
  stat: { header: 'STAT', width: 4, num: false },
  rss: { header: 'RSS', width: 4, num: true },
};
const SUPPORTED = 'user,group,comm,args,pid,ppid,pgid,nice,rgroup,ruser,tty,vsz,sid,stat,rss';

export const ps: Program = async (p) => {
  const names = passwdNames(await readText(p, '/etc/passwd'));
  const specs: { key: string; header: string }[] = [];
  const args = p.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a !== '-o') continue;
    for (const item of (args[++i] ?? '').split(',')) {
      const [key, header] = item.split('=', 2) as [string, string?];
      if (!COLUMNS[key]) {
        await p.stderr.write(`ps: bad -o argument '${key}', supported arguments: ${SUPPORTED}\n`);
        return 1;
      }
      specs.push({ key, header: header ?? COLUMNS[key]!.header });
    }
  }
  const procs = p.sys.processes();
  const userOf = (uid: number) => names.get(uid) ?? String(uid);
  // procps.c read_cmdline: a zombie shows [comm]; a comm that argv[0]'s name does not start with
  // (a NOEXEC applet in the shell's process) is shown first, in braces
  const cmdOf = (proc: (typeof procs)[number]) => {
    if (proc.state === 'Z') return `[${proc.comm}]`;
    const args = proc.argv.join(' ');
    return posix.basename(proc.argv[0] ?? '').startsWith(proc.comm) ? args : `{${proc.comm}} ${args}`;
  };
  if (specs.length === 0) {
    let out = 'PID   USER     COMMAND\n';
    for (const proc of procs) out += `${String(proc.pid).padStart(5)} ${userOf(proc.uid).slice(0, 8).padEnd(8)} ${cmdOf(proc)}\n`;
    await p.stdout.write(out);
    return 0;
  }
  const value = (key: string, proc: (typeof procs)[number]): string => {
    switch (key) {
      case 'pid': return String(proc.pid);
      case 'ppid': return String(proc.ppid);
      case 'pgid': case 'sid': return '0';
      case 'nice': return '0';
      case 'user': case 'ruser': return userOf(proc.uid);
      case 'group': case 'rgroup': return String(proc.gid);
      case 'comm': return proc.comm;
      case 'args': return cmdOf(proc);
      case 'tty': return '?';
      case 'vsz': case 'rss': return '0';
      default: return proc.state;
    }
  };
  const line = (cells: { text: string; width: number; num: boolean }[]) =>
    cells.map((c, i) => (i === cells.length - 1 && !c.num ? c.text : c.num ? c.text.padStart(c.width) : c.text.slice(0, c.width || undefined).padEnd(c.width))).join(' ');
  let out = line(specs.map((s) => ({ text: s.header, width: COLUMNS[s.key]!.width, num: false }))).trimEnd() + '\n';
  for (const proc of procs) out += line(specs.map((s) => ({ text: value(s.key, proc), ...COLUMNS[s.key]! }))) + '\n';
  await p.stdout.write(out);
  return 0;
};
