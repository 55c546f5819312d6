/**
 * The stdio runc gives a container's process: with Tty, one pseudo-terminal on fds 0-2 whose master
 * the daemon copies to the client (raw, stdout only: a terminal has one output); without, stdin is a
 * pipe fed from the attach connection (`-i`) or /dev/null, and stdout and stderr are two pipes, kept
 * apart for the multiplexed stream and the log.
 */
import { Pipe, callbackSink, nullSource, type Sink, type Source } from '../../runtime/stream.js';
import { Tty } from '../../runtime/tty.js';
import type { TaskIO } from './task.js';

export interface ProcessStdio {
  stdin: Source;
  stdout: Sink;
  stderr: Sink;
  /** Set when the process has a terminal: its window size follows /resize. */
  tty?: Tty;
}

/** Copies the client's bytes to `write` until they end, then calls `end`; stops when `write` fails. */
async function pump(from: AsyncIterable<Uint8Array>, write: (d: Uint8Array) => Promise<void> | void, end: () => void): Promise<void> {
  try {
    for await (const d of from) await write(d);
  } catch {
    /* the reader went away (EPIPE): the rest of the input has nowhere to go */
  }
  end();
}

/**
 * Makes the stdio of one process. `signalGroup` sends a signal to the terminal's foreground process
 * group (^C, ^\); it is called only once the process exists.
 */
export function processStdio(tty: boolean, io: TaskIO, signalGroup: (sig: number) => void): ProcessStdio {
  if (tty) {
    const t = new Tty((d) => io.output('stdout', d), signalGroup);
    if (io.stdin) void pump(io.stdin, (d) => t.input(d), () => t.hangup());
    return { stdin: t.reader, stdout: t.writer, stderr: t.writer, tty: t };
  }
  let stdin: Source = nullSource;
  if (io.stdin) {
    const p = new Pipe();
    stdin = p.reader;
    void pump(io.stdin, (d) => p.writer.write(d), () => p.writer.close());
  }
  return {
    stdin,
    stdout: callbackSink((d) => io.output('stdout', d)),
    stderr: callbackSink((d) => io.output('stderr', d)),
  };
}
