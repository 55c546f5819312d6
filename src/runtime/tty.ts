/**
 * A pseudo-terminal as the container's process sees it (`docker run -t`): runc gives the container a
 * pty slave on fds 0-2 and the daemon copies between its master and the attach connection. Between
 * the two sits the kernel's line discipline (drivers/tty/n_tty.c, termios(3)); the part modelled is
 * what an interactive session shows:
 * - input: ICRNL turns the Enter key's \r into \n; with ISIG, ^C (VINTR) and ^\ (VQUIT) send SIGINT
 *   and SIGQUIT to the foreground process group and flush the pending line; with ICANON, a read
 *   returns one line at a time, ^? (VERASE) rubs out a character and ^D (VEOF) ends the line without
 *   adding itself (alone on a line: end of file, a read of 0 bytes);
 * - echo (ECHO, ECHOE, ECHOCTL): a typed character comes back, a control character as `^X`, a rubout
 *   as `\b \b`, and not ^D;
 * - output (OPOST, ONLCR): every \n the process writes reaches the terminal as \r\n.
 * A program that edits its own line (busybox's lineedit) turns ICANON, ECHO and ISIG off while it
 * reads (raw mode) and back on before running a command, through `setMode`.
 * The window size (TIOCSWINSZ from the daemon's /resize) is kept for `stty size` and $COLUMNS.
 */
import { until, type Sink, type Source } from './stream.js';
import { SIGINT, SIGQUIT } from './signals.js';

/** The local-mode flags a program may change (tcsetattr's c_lflag): cooked when all are on. */
export interface TtyMode {
  icanon: boolean;
  echo: boolean;
  isig: boolean;
}

/** What a process holding the terminal may ask of it (tcgetattr/tcsetattr, TIOCGWINSZ, FIONREAD). */
export interface TtyControl {
  mode(): TtyMode;
  setMode(m: Partial<TtyMode>): void;
  winsize(): { rows: number; cols: number };
  /** Bytes a read would return at once (FIONREAD); busybox asks before it sends ESC[6n. */
  pending(): number;
}

const VINTR = 0x03;
const VQUIT = 0x1c;
const VERASE = 0x7f;
const VEOF = 0x04;

export class Tty implements TtyControl {
  private lmode: TtyMode = { icanon: true, echo: true, isig: true };
  private size = { rows: 0, cols: 0 };
  /** The line being typed (canonical mode). */
  private line: number[] = [];
  /** What a read may return: completed lines in canonical mode, any bytes in raw mode; [] is end of file. */
  private ready: Uint8Array[] = [];
  private hungUp = false;
  private wake: () => void = () => {};
  private changed = this.renew();

  constructor(
    /** Bytes for the master side (the attach connection). */
    private readonly toMaster: (data: Uint8Array) => void,
    /** A signal for the foreground process group. */
    private readonly signalGroup: (sig: number) => void,
  ) {}

  private renew(): Promise<void> {
    return new Promise<void>((r) => (this.wake = r));
  }
  private notify(): void {
    this.wake();
    this.changed = this.renew();
  }

  mode(): TtyMode {
    return { ...this.lmode };
  }
  setMode(m: Partial<TtyMode>): void {
    const wasCanon = this.lmode.icanon;
    this.lmode = { ...this.lmode, ...m };
    // leaving canonical mode hands what was typed to the reader as it is (n_tty_set_termios)
    if (wasCanon && !this.lmode.icanon && this.line.length) {
      this.ready.push(Uint8Array.from(this.line));
      this.line = [];
      this.notify();
    }
  }
  winsize(): { rows: number; cols: number } {
    return { ...this.size };
  }
  resize(rows: number, cols: number): void {
    this.size = { rows, cols };
  }
  pending(): number {
    return this.ready.reduce((n, c) => n + c.length, 0);
  }

  /** OPOST|ONLCR: what the terminal receives for bytes the process (or the echo) writes. */
  private output(data: Uint8Array): void {
    if (!data.includes(0x0a)) return this.toMaster(data);
    const out: number[] = [];
    for (const b of data) {
      if (b === 0x0a) out.push(0x0d);
      out.push(b);
    }
    this.toMaster(Uint8Array.from(out));
  }

  private echo(b: number): void {
    if (!this.lmode.echo) return;
    // ECHOCTL: control characters but tab and newline come back as ^X
    if (b < 0x20 && b !== 0x09 && b !== 0x0a) this.output(Uint8Array.from([0x5e, b + 0x40]));
    else this.output(Uint8Array.from([b]));
  }

  /** Bytes typed at the terminal (the client's stdin through the attach connection). */
  input(data: Uint8Array): void {
    for (let b of data) {
      if (b === 0x0d) b = 0x0a; // ICRNL
      if (this.lmode.isig && (b === VINTR || b === VQUIT)) {
        this.line = [];
        this.ready = [];
        this.echo(b);
        this.signalGroup(b === VINTR ? SIGINT : SIGQUIT);
        continue;
      }
      if (!this.lmode.icanon) {
        this.echo(b);
        this.ready.push(Uint8Array.of(b));
        continue;
      }
      if (b === VERASE) {
        if (this.line.pop() !== undefined && this.lmode.echo) this.output(Buffer.from('\b \b'));
        continue;
      }
      if (b === VEOF) {
        this.ready.push(Uint8Array.from(this.line));
        this.line = [];
        continue;
      }
      this.echo(b);
      this.line.push(b);
      if (b === 0x0a) {
        this.ready.push(Uint8Array.from(this.line));
        this.line = [];
      }
    }
    this.notify();
  }

  /** The master side closed (the client went away): reads end, as after a hangup. */
  hangup(): void {
    this.hungUp = true;
    this.notify();
  }

  /** The slave side's reading end: fd 0 of the container's process. */
  readonly reader: Source & { tty: TtyControl } = {
    kind: 'tty',
    tty: this,
    read: async (max, abort) => {
      for (;;) {
        if (abort?.aborted) throw abort.reason;
        const first = this.ready[0];
        if (first !== undefined) {
          if (first.length === 0) {
            this.ready.shift();
            return null;
          }
          // canonical mode: one read never crosses a line; raw mode: whatever is there
          const parts: Uint8Array[] = [];
          let n = 0;
          while (n < max && this.ready.length && this.ready[0]!.length > 0) {
            const c = this.ready[0]!;
            const k = Math.min(c.length, max - n);
            parts.push(c.subarray(0, k));
            n += k;
            if (k === c.length) this.ready.shift();
            else this.ready[0] = c.subarray(k);
            if (this.lmode.icanon) break;
          }
          return Buffer.concat(parts);
        }
        if (this.hungUp) return null;
        await until(this.changed, abort);
      }
    },
    close: () => {},
  };

  /** The slave side's writing end: fds 1 and 2. */
  readonly writer: Sink = {
    kind: 'tty',
    write: async (data) => this.output(data),
    close: () => {},
  };
}
