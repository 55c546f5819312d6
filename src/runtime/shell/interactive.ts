/**
 * The interactive shell (`docker run -it IMG sh`): a prompt, a line, its commands, again, until
 * `exit` or end of input. A command spread over lines is read on with PS2. busybox's default
 * prompt for a fancy-prompt build is `\w \$ ` (the directory, then # for root): `/ # `.
 * Errors do not end an interactive shell; `exit N` ends it with N. The prompt goes to stdout, as
 * busybox's line editing writes it (`printf 'echo hi\n' | busybox sh -i` shows `/ # hi`); the
 * banner Debian's build prints first is left out (the busybox image's sh starts at the prompt).
 */
import { isSysErrno } from '../errno.js';
import { ExitShell } from './control.js';
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

export async function interactive(sh: Shell): Promise<number> {
  if (!sh.vars.isSet('PS1')) sh.vars.set('PS1', '\\w \\$ ');
  if (!sh.vars.isSet('PS2')) sh.vars.set('PS2', '> ');
  for (;;) {
    await sh.write(1, expandPrompt(sh, sh.vars.get('PS1') ?? ''));
    let text = await readLine(sh);
    if (text === null) return sh.status;
    while (incomplete(text)) {
      await sh.write(1, sh.vars.get('PS2') ?? '> ');
      const more = await readLine(sh);
      if (more === null) break;
      text += more;
    }
    try {
      await sh.evalString(text, 0, 1);
    } catch (e) {
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
