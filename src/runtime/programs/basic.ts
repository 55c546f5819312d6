/**
 * Small busybox applets the shell's tests need: true, false, echo, sleep, cat, env. Each follows
 * busybox's coreutils source for options, output and messages (`cat: can't open 'x': No such file
 * or directory`). More applets are added to the registry (index.ts) by name.
 */
import { posix } from 'node:path';
import { isKilled, strerror } from '../errno.js';
import type { Program, ProcessContext } from '../program.js';
import { echo as echoText } from '../shell/printf.js';

export const trueProgram: Program = async () => 0;
export const falseProgram: Program = async () => 1;

export const echo: Program = async (p) => {
  await p.stdout.write(echoText(p.argv.slice(1)));
  return 0;
};

/** busybox sleep: each argument a number with an optional s, m, h or d suffix; they add up. */
export const sleep: Program = async (p) => {
  const args = p.argv.slice(1);
  if (args.length === 0) {
    await p.stderr.write('BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: sleep [N]...\n\nPause for a time equal to the total of the args given, where each arg can\nhave an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays\n');
    return 1;
  }
  let ms = 0;
  for (const a of args) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (!m) {
      await p.stderr.write(`sleep: invalid number '${a}'\n`);
      return 1;
    }
    const unit = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!]!;
    ms += Number(m[1]) * unit;
  }
  await p.sys.sleep(ms);
  return 0;
};

async function copyAll(p: ProcessContext, src: { read(max?: number): Promise<Uint8Array | null> }): Promise<void> {
  for (let b = await src.read(); b !== null; b = await src.read()) await p.stdout.write(b);
}

/** busybox cat (without -n/-v formatting): files in order, `-` for stdin. */
export const cat: Program = async (p) => {
  const files = p.argv.slice(1).filter((a) => a !== '-u');
  if (files.length === 0) files.push('-');
  let status = 0;
  for (const f of files) {
    if (f === '-') {
      await copyAll(p, p.stdin);
      continue;
    }
    let src;
    try {
      src = await p.fs.openRead(f);
    } catch (e) {
      if (isKilled(e)) throw e;
      await p.stderr.write(`cat: can't open '${f}': ${strerror(e)}\n`);
      status = 1;
      continue;
    }
    try {
      await copyAll(p, src);
    } catch (e) {
      if (isKilled(e) || !(e instanceof Error && 'errno' in e)) throw e;
      await p.stderr.write(`cat: read error: ${strerror(e)}\n`);
      status = 1;
    } finally {
      src.close();
    }
  }
  return status;
};

/** busybox env: `env [-i] [-u NAME]... [NAME=VALUE]... [PROG ARGS]`. */
export const env: Program = async (p) => {
  const args = p.argv.slice(1);
  const vars = new Map(p.env);
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-i' || a === '-') vars.clear();
    else if (a === '-u') vars.delete(args[++i] ?? '');
    else if (a === '--') {
      i++;
      break;
    } else break;
  }
  for (; i < args.length && args[i]!.includes('='); i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    vars.set(a.slice(0, eq), a.slice(eq + 1));
  }
  const cmd = args.slice(i);
  if (cmd.length === 0) {
    let out = '';
    for (const [k, v] of vars) out += `${k}=${v}\n`;
    await p.stdout.write(out);
    return 0;
  }
  const name = cmd[0]!;
  try {
    if (!name.includes('/') && p.sys.hasApplet(name)) return await p.sys.exec({ applet: name, argv: cmd, env: vars });
    const path = name.includes('/') ? name : await lookPath(p, name, vars.get('PATH') ?? '/sbin:/usr/sbin:/bin:/usr/bin');
    if (!path) throw Object.assign(new Error(), { errno: 'ENOENT' });
    return await p.sys.exec({ path, argv: cmd, env: vars });
  } catch (e) {
    if (isKilled(e)) throw e;
    const errno = (e as { errno?: string }).errno;
    await p.stderr.write(`env: can't execute '${name}': ${errno === 'ENOENT' ? 'No such file or directory' : strerror(e)}\n`);
    return errno === 'ENOENT' ? 127 : 126;
  }
};

/** The first executable regular file named `name` in `path`'s directories. */
export async function lookPath(p: ProcessContext, name: string, path: string): Promise<string | null> {
  for (const dir of path.split(':')) {
    const full = posix.join(dir || '.', name);
    try {
      const st = await p.fs.stat(full);
      if (st.type === 'file' && st.mode & 0o111) return full;
    } catch (e) {
      if (isKilled(e)) throw e;
    }
  }
  return null;
}
