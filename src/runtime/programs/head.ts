/**
 * busybox head and yes: the two ends of the classic SIGPIPE pipeline (`yes | head -n 1`). head
 * exits after its lines, closing the pipe; yes's next write then raises SIGPIPE and kills it.
 */
import { isKilled, strerror } from '../errno.js';
import type { Program, ReadStream } from '../program.js';

/** head [-n N | -N | -c N] [FILE]...: the first N lines (or bytes) of each input. */
export const head: Program = async (p) => {
  let lines = 10;
  let bytes: number | null = null;
  const files: string[] = [];
  const args = p.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^-(\d+)$/.exec(a);
    if (m) lines = Number(m[1]);
    else if (a === '-n' || a === '-c') {
      const v = args[++i] ?? '';
      if (!/^\d+$/.test(v)) {
        await p.stderr.write(`head: invalid number '${v}'\n`);
        return 1;
      }
      if (a === '-n') lines = Number(v);
      else bytes = Number(v);
    } else if (/^-n\d+$/.test(a)) lines = Number(a.slice(2));
    else files.push(a);
  }
  if (files.length === 0) files.push('-');
  let status = 0;
  for (const [k, f] of files.entries()) {
    let src: ReadStream;
    try {
      src = f === '-' ? p.stdin : await p.fs.openRead(f);
    } catch (e) {
      if (isKilled(e)) throw e;
      await p.stderr.write(`head: can't open '${f}': ${strerror(e)}\n`);
      status = 1;
      continue;
    }
    if (files.length > 1) await p.stdout.write(`${k > 0 ? '\n' : ''}==> ${f === '-' ? 'standard input' : f} <==\n`);
    await copyHead(p.stdout, src, lines, bytes);
    if (f !== '-') src.close();
  }
  return status;
};

async function copyHead(out: { write(d: Uint8Array): Promise<void> }, src: ReadStream, lines: number, bytes: number | null): Promise<void> {
  let left = bytes ?? lines;
  while (left > 0) {
    const b = await src.read();
    if (b === null) return;
    if (bytes !== null) {
      const piece = b.subarray(0, left);
      left -= piece.length;
      await out.write(piece);
      continue;
    }
    let end = 0;
    while (end < b.length && left > 0) if (b[end++] === 0x0a) left--;
    await out.write(b.subarray(0, end));
  }
}

/** yes [STRING]...: the line forever (until SIGPIPE or a signal ends it). */
export const yes: Program = async (p) => {
  const line = (p.argv.length > 1 ? p.argv.slice(1).join(' ') : 'y') + '\n';
  const chunk = Buffer.from(line.repeat(Math.max(1, Math.floor(4096 / line.length))));
  for (;;) await p.stdout.write(chunk);
};
