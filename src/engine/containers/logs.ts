/**
 * The json-file log driver, as Docker's default logger writes `<id>-json.log`: one JSON object per
 * line of output, `{"log":"text\n","stream":"stdout","time":"<RFC 3339 nano>"}`. A line is cut at a
 * newline, or at 16 KiB without one (moby's copier bufSize), and a partial last line is written when
 * the stream closes. `docker logs` reads it back with tail, since, until and follow.
 */
import * as fs from 'node:fs';
import { goTime } from './record.js';

export type StdStream = 'stdout' | 'stderr';

export interface LogRecord {
  stream: StdStream;
  /** The line, newline included when it had one. */
  line: Buffer;
  time: string;
  /** Milliseconds since the epoch, for since/until. */
  ms: number;
}

const MAX_LINE = 16 * 1024;

export class JsonLog {
  private readonly partial: Record<StdStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly followers = new Set<(r: LogRecord) => void>();
  private nanoTick = 0;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes a process wrote to fd 1 or 2: complete lines become records at once. */
  write(stream: StdStream, data: Uint8Array): void {
    let buf = Buffer.from(data);
    while (buf.length) {
      const nl = buf.indexOf(0x0a);
      const pending = this.partial[stream].reduce((n, b) => n + b.length, 0);
      if (nl < 0) {
        if (pending + buf.length < MAX_LINE) {
          this.partial[stream].push(buf);
          return;
        }
        const take = MAX_LINE - pending;
        this.emit(stream, Buffer.concat([...this.partial[stream], buf.subarray(0, take)]));
        this.partial[stream] = [];
        buf = buf.subarray(take);
        continue;
      }
      this.emit(stream, Buffer.concat([...this.partial[stream], buf.subarray(0, nl + 1)]));
      this.partial[stream] = [];
      buf = buf.subarray(nl + 1);
    }
  }

  /** The process closed its streams: a last line without a newline is written as it is. */
  flush(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.partial[s].length) this.emit(s, Buffer.concat(this.partial[s]));
      this.partial[s] = [];
    }
  }

  private emit(stream: StdStream, line: Buffer): void {
    const ms = this.now();
    // distinct, increasing times within one millisecond, as a real clock's nanoseconds would be
    const time = goTime(ms, (this.nanoTick = (this.nanoTick + 1) % 1_000_000));
    const rec: LogRecord = { stream, line, time, ms };
    fs.appendFileSync(this.file, JSON.stringify({ log: line.toString('utf8'), stream, time }) + '\n');
    for (const f of this.followers) f(rec);
  }

  /** The records kept, oldest first, filtered as `docker logs --tail --since --until` asks. */
  read(opts: { tail?: number; sinceMs?: number; untilMs?: number } = {}): LogRecord[] {
    let text = '';
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    let recs: LogRecord[] = [];
    for (const l of text.split('\n')) {
      if (!l) continue;
      const j = JSON.parse(l) as { log: string; stream: StdStream; time: string };
      recs.push({ stream: j.stream, line: Buffer.from(j.log, 'utf8'), time: j.time, ms: Date.parse(j.time) });
    }
    if (opts.sinceMs !== undefined) recs = recs.filter((r) => r.ms >= opts.sinceMs!);
    if (opts.untilMs !== undefined) recs = recs.filter((r) => r.ms < opts.untilMs!);
    if (opts.tail !== undefined && opts.tail >= 0) recs = opts.tail === 0 ? [] : recs.slice(-opts.tail);
    return recs;
  }

  /** Calls `fn` for each new record until the returned function is called (`docker logs -f`). */
  follow(fn: (r: LogRecord) => void): () => void {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }
}
