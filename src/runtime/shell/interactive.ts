/**
 * The interactive shell (`docker run -it IMG sh`): a prompt, a line, its commands, again, until
 * `exit` or end of input. A command spread over lines is read on with PS2. busybox's default
 * prompt for a fancy-prompt build is `\w \$ ` (the directory, then # for root): `/ # `.
 * Errors do not end an interactive shell; `exit N` ends it with N. The prompt goes to stdout, as
 * busybox's line editing writes it (`printf 'echo hi\n' | busybox sh -i` shows `/ # hi`), after the
 * banner Debian's build prints (ash_main, without FEATURE_SH_EXTRA_QUIET; the dk-build image's sh
 * prints it under `docker run -it`, measured). On a terminal the line is read as busybox's lineedit
 * reads it (lineedit.ts); elsewhere ash says it cannot do job control and reads lines as they come.
 * ^C (SIGINT, caught while interactive: ash's onint) abandons the line: status 130, a new prompt.
 */
import { isSysErrno } from '../errno.js';
import { SIGINT } from '../signals.js';
import { ExitShell, Interrupted } from './control.js';
import { editLine } from './lineedit.js';
import { ShellError } from './expand.js';
import { Parser, ShellSyntaxError } from './parser.js';
import type { Shell } from './shell.js';

/** \w, \W, \$, \u, \h, \n, \\ in a prompt (bash's and busybox's escapes). */
export function expandPrompt(sh: Shell, ps: string): string {
  const cwd = sh.vars.get('PWD') ?? sh.ctx.cwd;
  const home = sh.vars.get('HOME');
  const w = home && home !== '/' && (cwd === home || cwd.startsWith(home + '/')) ? '~' + cwd.slice(home.length) : cwd;
  return ps.replace(/\\([wW$uhn\\])/g, (_, c: string) => {
    switch (c) {
      case 'w':
        return w;
      case 'W':
        return w === '/' ? '/' : w.split('/').pop() || '/';
      case '$':
        return sh.ctx.cred.uid === 0 ? '#' : '$';
      case 'u':
        return sh.ctx.cred.uid === 0 ? 'root' : String(sh.ctx.cred.uid);
      case 'h':
        return sh.ctx.sys.hostname().split('.')[0] ?? '';
      case 'n':
        return '\n';
      default:
        return '\\';
    }
  });
}

async function readLine(sh: Shell): Promise<string | null> {
  const bytes: number[] = [];
  for (;;) {
    let b: Uint8Array | null;
    try {
      b = await sh.ctx.stdin.read(1);
    } catch (e) {
      if (isSysErrno(e, 'EINTR')) continue;
      throw e;
    }
    if (b === null || b.length === 0) return bytes.length ? Buffer.from(bytes).toString('utf8') : null;
    if (b[0] === 0x0a) return Buffer.from(bytes).toString('utf8') + '\n';
    bytes.push(b[0]!);
  }
}

/** Whether a text is a command cut short (it needs the next line), as the parser sees it. */
function incomplete(text: string): boolean {
  try {
    new Parser(text).parseAll();
    return false;
  } catch (e) {
    return e instanceof ShellSyntaxError && /end of file|unterminated|EOF in/.test(e.message);
  }
}

/** The Debian build's greeting (busybox ash.c, ash_main), on stdout. */
export const ASH_BANNER = "\n\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) built-in shell (ash)\nEnter 'help' for a list of built-in commands.\n\n";

/** One prompted line: the terminal's line editor, or a plain read; INTERRUPTED for ^C there. */
async function prompted(sh: Shell, ps: string): Promise<string | null | typeof INTERRUPTED> {
  const tty = sh.ctx.stdin.tty;
  if (tty) {
    const r = await editLine(sh, tty, ps);
    return r === 'interrupt' ? INTERRUPTED : r;
  }
  await sh.write(1, ps);
  return readLine(sh);
}
const INTERRUPTED = Symbol('interrupted');

/** A whole command, over PS2 lines while it is cut short. */
async function readCommand(sh: Shell): Promise<string | null | typeof INTERRUPTED> {
  let text = await prompted(sh, expandPrompt(sh, sh.vars.get('PS1') ?? ''));
  if (typeof text !== 'string') return text;
  while (incomplete(text)) {
    const more = await prompted(sh, sh.vars.get('PS2') ?? '> ');
    if (more === INTERRUPTED) return more;
    if (more === null) break;
    text += more;
  }
  return text;
}

export async function interactive(sh: Shell): Promise<number> {
  if (!sh.vars.isSet('PS1')) sh.vars.set('PS1', '\\w \\$ ');
  if (!sh.vars.isSet('PS2')) sh.vars.set('PS2', '> ');
  sh.iflag = true;
  sh.ctx.sys.setDisposition(SIGINT, 'catch');
  await sh.write(1, ASH_BANNER);
  if (!sh.ctx.stdin.tty) await sh.error("can't access tty; job control turned off");
  for (;;) {
    const text = await readCommand(sh);
    if (text === INTERRUPTED) {
      sh.status = 128 + SIGINT;
      continue;
    }
    if (text === null) {
      // ash's cmdloop at end of input: a newline on stderr, then the last status
      await sh.write(2, '\n');
      return sh.status;
    }
    try {
      await sh.evalString(text, 0, 1);
      await sh.dotrap();
    } catch (e) {
      if (e instanceof Interrupted) {
        // ash's EXINT: the line is abandoned, a newline on stderr
        sh.ctx.sys.takeSignals();
        await sh.write(2, '\n');
        sh.status = 128 + SIGINT;
        continue;
      }
      if (e instanceof ExitShell) {
        // A syntax error only ends the line in an interactive shell.
        if (e.syntax) continue;
        return e.status;
      }
      if (e instanceof ShellError) {
        await sh.error(e.message);
        sh.status = e.status;
        continue;
      }
      throw e;
    }
  }
}
