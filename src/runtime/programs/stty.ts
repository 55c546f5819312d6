/**
 * busybox `stty size`: the rows and columns of the terminal on stdin (TIOCGWINSZ), which the daemon
 * sets from the client's window (`POST /containers/{id}/resize`). Measured on the engine here:
 * `docker run -it IMG stty size` in a 24x80 terminal prints `24 80`; with -t but no size set (a client
 * that is no terminal) busybox says `stty: standard input` and exits 0; without a terminal,
 * `stty: standard input: Inappropriate ioctl for device`, exit 1. Only `size` is modelled: any
 * other setting is refused by name.
 */
import type { Program } from '../program.js';

export const stty: Program = async (p) => {
  const args = p.argv.slice(1);
  const tty = p.stdin.tty;
  if (!tty) {
    await p.stderr.write('stty: standard input: Inappropriate ioctl for device\n');
    return 1;
  }
  if (args.length !== 1 || args[0] !== 'size') {
    await p.stderr.write(`stty: the model runs only 'stty size' (asked: stty ${args.join(' ')})\n`);
    return 1;
  }
  const { rows, cols } = tty.winsize();
  if (rows === 0 && cols === 0) {
    await p.stderr.write('stty: standard input\n');
    return 0;
  }
  await p.stdout.write(`${rows} ${cols}\n`);
  return 0;
};
