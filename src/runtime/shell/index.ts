/**
 * The `sh` program (busybox ash's ash_main and procargs): `sh -c CMD [NAME [ARG]...]`, `sh FILE
 * [ARG]...`, or a script on stdin, with -e -u -x -f -C options before them. A `-c` string runs with
 * EV_EXIT, so its last external command replaces the shell (busybox's behaviour that makes
 * `sh -c 'sleep 3600'` run sleep as the container's PID 1); a script file does not.
 */
import { isKilled, strerror } from '../errno.js';
import type { Program, ProcessContext } from '../program.js';
import { interactive } from './interactive.js';
import { EV_EXIT, Shell } from './shell.js';

async function readAll(p: ProcessContext, src: { read(): Promise<Uint8Array | null> }): Promise<string> {
  const parts: Uint8Array[] = [];
  for (let b = await src.read(); b; b = await src.read()) parts.push(b);
  return Buffer.concat(parts).toString('utf8');
}

const LETTERS: Record<string, 'errexit' | 'nounset' | 'xtrace' | 'noglob' | 'noclobber' | 'noexec'> = {
  e: 'errexit',
  u: 'nounset',
  x: 'xtrace',
  f: 'noglob',
  C: 'noclobber',
  n: 'noexec',
};

export const sh: Program = async (p) => {
  const argv = p.argv;
  const opts: Partial<Record<(typeof LETTERS)[string], boolean>> = {};
  let command: string | null = null;
  let wantC = false;
  let interactiveFlag = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || a === '-') {
      i++;
      break;
    }
    if (!/^[-+][A-Za-z]+$/.test(a)) break;
    for (const f of a.slice(1)) {
      if (f === 'c') wantC = true;
      else if (LETTERS[f]) opts[LETTERS[f]] = a[0] === '-';
      else if (f === 'i') interactiveFlag = true;
      else if ('slx'.includes(f)) continue;
      else {
        await p.stderr.write(`${argv[0] ?? 'sh'}: -${f}: invalid option\n`);
        return 2;
      }
    }
  }
  if (wantC) {
    command = argv[i++] ?? null;
    if (command === null) {
      await p.stderr.write(`${argv[0] ?? 'sh'}: -c requires an argument\n`);
      return 2;
    }
  }
  let arg0 = argv[0] ?? 'sh';
  let src: string;
  let mode: Shell['mode'];
  if (command !== null) {
    if (i < argv.length) arg0 = argv[i++]!;
    src = command;
    mode = 'c';
  } else if (i < argv.length) {
    arg0 = argv[i++]!;
    try {
      const r = await p.fs.openRead(arg0);
      src = await readAll(p, r);
      r.close();
    } catch (e) {
      if (isKilled(e)) throw e;
      await p.stderr.write(`${argv[0] ?? 'sh'}: can't open '${arg0}': ${strerror(e)}\n`);
      return 127;
    }
    mode = 'file';
  } else if (interactiveFlag || p.stdin.kind === 'tty') {
    const shell = new Shell(p, { arg0, params: argv.slice(i) });
    shell.mode = 'stdin';
    Object.assign(shell.opts, opts);
    return shell.main(() => interactive(shell));
  } else {
    src = await readAll(p, p.stdin);
    mode = 'stdin';
  }
  const shell = new Shell(p, { arg0, params: argv.slice(i) });
  shell.mode = mode;
  Object.assign(shell.opts, opts);
  if (mode !== 'c') shell.commandname = arg0;
  return shell.main(() => shell.evalString(src, mode === 'c' ? EV_EXIT : 0));
};
