/**
 * The API's streaming answers, each a small helper so handlers stay thin (moby pkg/jsonmessage,
 * pkg/streamformatter, api/server/router/system events):
 * - a JSON message stream (`docker load`): progress, lines and an error as the last message, all in
 *   a 200 answer, since the status is sent before the work starts;
 * - the events stream: past events, then new ones until `until` or the client leaves;
 * - a tar stream (`docker save`): bytes as they are written, an error cuts the stream.
 */
import type { ServerResponse } from 'node:http';
import type { EngineEvent, EventBus } from '../engine/events.js';
import { goJson } from './http.js';

/** Docker's units for progress bars (pkg/units HumanSize: 4 significant digits, decimal). */
function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/** jsonmessage.JSONProgress.String(): `[`, one `=` per 2 %, `>`, padding to 50, `] `, then current/total. */
function progressBar(current: number, total: number): string {
  const pct = Math.min(50, total > 0 ? Math.floor(Math.floor((current / total) * 100) / 2) : 0);
  return `[${'='.repeat(pct)}>${' '.repeat(50 - pct)}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export class JsonMessageStream {
  constructor(private readonly res: ServerResponse) {}

  start(): void {
    if (!this.res.headersSent) this.res.writeHead(200, { 'Content-Type': 'application/json' });
  }

  private send(msg: Record<string, unknown>): void {
    this.start();
    this.res.write(`${goJson(msg, true)}\n`);
  }

  /** One line of text, as `{"stream": "...\n"}`. */
  line(text: string): void {
    this.send({ stream: `${text}\n` });
  }

  /** A status line without progress, as `{"status": "..."}` (streamformatter FormatStatus). */
  status(text: string): void {
    this.send({ status: text });
  }

  progress(status: string, id: string, current: number, total: number): void {
    this.send({ status, progressDetail: { current, total }, progress: progressBar(current, total), id });
  }

  /** The error as the stream's last message: the status (200) was sent already. */
  error(message: string): void {
    this.send({ errorDetail: { message }, error: message });
  }

  end(): void {
    this.start();
    this.res.end();
  }
}

/** One event in the Engine API's shape (api/types/events Message, with the legacy fields). */
export function eventJson(e: EngineEvent): Record<string, unknown> {
  return {
    ...(e.type === 'image' || e.type === 'container' ? { status: e.action } : {}),
    ...(e.id && (e.type === 'image' || e.type === 'container') ? { id: e.id } : {}),
    ...(e.type === 'container' && e.attributes.image ? { from: e.attributes.image } : {}),
    Type: e.type,
    Action: e.action,
    Actor: { ID: e.id, Attributes: e.attributes },
    scope: 'local',
    time: Number(e.timeNano / 1_000_000_000n),
    timeNano: Number(e.timeNano),
  };
}

/**
 * Streams events: those kept since `sinceNano`, then new ones as they happen; ends at `untilNano`
 * (at once when it has passed), or when the client goes away. Headers are flushed first, as dockerd
 * does, so a client knows it is subscribed.
 */
export function streamEvents(
  res: ServerResponse,
  bus: EventBus,
  opts: { sinceNano?: bigint; untilNano?: bigint; match: (e: EngineEvent) => boolean; signal?: AbortSignal },
): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const write = (e: EngineEvent) => {
    if (opts.match(e)) res.write(`${goJson(eventJson(e))}\n`);
  };
  const now = BigInt(Date.now()) * 1_000_000n;
  const past = opts.sinceNano !== undefined ? bus.since(opts.sinceNano) : [];
  for (const e of past) if (opts.untilNano === undefined || e.timeNano <= opts.untilNano) write(e);
  if (opts.untilNano !== undefined && opts.untilNano <= now) return void res.end();
  const unsubscribe = bus.subscribe((e) => {
    if (opts.untilNano !== undefined && e.timeNano > opts.untilNano) return;
    write(e);
  });
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    res.end();
  };
  if (opts.untilNano !== undefined) timer = setTimeout(stop, Number((opts.untilNano - now) / 1_000_000n) + 1);
  res.on('close', stop);
  opts.signal?.addEventListener('abort', stop, { once: true });
}

/** A tar answer (`application/x-tar`); an error after the first byte can only cut the stream. */
export async function streamTar(res: ServerResponse, write: (out: ServerResponse) => Promise<void>): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await write(res);
    res.end();
  } catch (e) {
    res.destroy(e as Error);
  }
}
