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

export const ps: Program = async (p) => {
  const names = passwdNames(await readText(p, '/etc/passwd'));
  let out = 'PID   USER     COMMAND\n';
  for (const proc of p.sys.processes()) {
    const user = (names.get(proc.uid) ?? String(proc.uid)).slice(0, 8).padEnd(8);
    const cmd = proc.state === 'Z' ? `[${posix.basename(proc.argv[0] ?? '')}]` : proc.argv.join(' ');
    out += `${String(proc.pid).padStart(5)} ${user} ${cmd}\n`;
  }
  await p.stdout.write(out);
  return 0;
};
