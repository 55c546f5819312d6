/**
 * busybox's line editor (libbb/lineedit.c, read_line_input) as the interactive shell uses it on a
 * terminal: the terminal goes raw (no ICANON, ECHO, ISIG) while a line is read and back to cooked
 * before the command runs, so the editor echoes what is typed itself. After the prompt it asks the
 * terminal where the cursor is (ask_terminal: `ESC[6n`, only when no input is waiting) and swallows
 * the answer (`ESC[row;colR`) and other escape sequences (the arrow keys). Enter ends the line with a
 * newline; ^? and ^H rub out (`\b \b`); ^C prints `^C` and a newline and abandons the line; ^D on an
 * empty line is end of input. History and cursor movement are not modelled.
 */
import { isSysErrno } from '../errno.js';
import type { TtyControl } from '../tty.js';
import type { Shell } from './shell.js';

async function readByte(sh: Shell): Promise<number | null> {
  for (;;) {
    try {
      const b = await sh.ctx.stdin.read(1);
      return b === null || b.length === 0 ? null : b[0]!;
    } catch (e) {
      if (isSysErrno(e, 'EINTR')) continue;
      throw e;
    }
  }
}

/** The rest of an escape sequence after ESC: `[` or `O`, parameters, then a final letter or `~`. */
async function skipEscape(sh: Shell): Promise<void> {
  const first = await readByte(sh);
  if (first !== 0x5b && first !== 0x4f) return;
  for (let b = await readByte(sh); b !== null; b = await readByte(sh)) if ((b >= 0x40 && b <= 0x7e) || b === 0x7e) return;
}

/** Reads one line with the prompt `ps`: the text with its newline, null at end of input, or 'interrupt'. */
export async function editLine(sh: Shell, tty: TtyControl, ps: string): Promise<string | null | 'interrupt'> {
  const saved = tty.mode();
  tty.setMode({ icanon: false, echo: false, isig: false });
  try {
    await sh.write(1, ps);
    if (tty.pending() === 0) await sh.write(1, '\x1b[6n');
    const line: number[] = [];
    for (;;) {
      const b = await readByte(sh);
      if (b === null) return line.length ? Buffer.from(line).toString('utf8') : null;
      if (b === 0x1b) await skipEscape(sh);
      else if (b === 0x03) {
        await sh.write(1, '^C\n');
        return 'interrupt';
      } else if (b === 0x04) {
        if (line.length === 0) return null;
      } else if (b === 0x7f || b === 0x08) {
        if (line.pop() !== undefined) await sh.write(1, '\b \b');
      } else if (b === 0x0a || b === 0x0d) {
        await sh.write(1, '\n');
        return Buffer.from(line).toString('utf8') + '\n';
      } else if (b >= 0x20 || b === 0x09) {
        line.push(b);
        await sh.ctx.stdout.write(Uint8Array.of(b));
      }
    }
  } finally {
    tty.setMode(saved);
  }
}
