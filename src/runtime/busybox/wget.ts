/**
 * `wget [-q] [-O FILE] URL`: busybox's HTTP client (networking/wget.c, 1.35) over the model's TCP
 * (runtime/tcp.ts). Names resolve as the other applets resolve them (net.ts: /etc/hosts, then the
 * embedded DNS), so a container name on a user network works and any other name is a "bad address";
 * no packet leaves the machine. Texts measured with busybox-static and in the engine's containers:
 *
 *   Connecting to s:8000 (172.18.0.2:8000)
 *   saving to 'index.html'
 *   index.html           100% |********************************|     8  0:00:00 ETA
 *   'index.html' saved
 *
 * The progress line is written once, at the end, when stderr is not a terminal (the model's transfer
 * is instant, so its time is 0:00:00). Redirects (301, 302, 303, 307, 308) are followed.
 */
import type { Connection, ExitCode, WriteStream } from '../program.js';
import { applet, getopt, rethrowKilled, type Ctx } from './common.js';
import { resolveHost } from './net.js';

interface Url {
  host: string;
  port: number;
  path: string;
}

function parseUrl(s: string): Url | undefined {
  const m = /^http:\/\/([^/:?#]+)(?::(\d+))?([^#]*)/i.exec(s);
  if (!m) return undefined;
  const path = m[3] || '/';
  return { host: m[1] as string, port: m[2] ? Number(m[2]) : 80, path: path.startsWith('/') ? path : `/${path}` };
}

export const wget = applet('wget', async (c): Promise<ExitCode> => {
  const a = await getopt(c, 'cqSO:o:P:U:Y:T:');
  if (!a) return 1;
  const first = a.args[0];
  if (first === undefined) return c.usage();
  const parsed = parseUrl(first);
  if (!parsed) {
    await c.error(`not an http or ftp url: ${first}`);
    return 1;
  }
  let url: Url = parsed;
  const quiet = a.opts.has('q');
  const say = (s: string) => (quiet ? Promise.resolve() : c.p.stderr.write(`${s}\n`));
  let ip: string | undefined;
  let body: Buffer | undefined;
  for (let hops = 0; hops < 20 && !body; hops++) {
    if (ip === undefined) {
      ip = (await resolveHost(c, url.host))[0];
      if (ip === undefined) {
        await c.error(`bad address '${url.host}'`);
        return 1;
      }
      await say(`Connecting to ${url.host}:${url.port} (${ip}:${url.port})`);
    }
    const r = await fetchOnce(c, url, ip);
    if (typeof r === 'number') return r;
    if ([301, 302, 303, 307, 308].includes(r.code) && r.location) {
      const next: Url | undefined = r.location.startsWith('/') ? { ...url, path: r.location } : parseUrl(r.location);
      if (!next) return 1;
      if (next.host !== url.host || next.port !== url.port) ip = undefined;
      url = next;
      continue;
    }
    if (r.code < 200 || r.code >= 300) {
      await c.error(`server returned error: ${r.status}`);
      return 1;
    }
    body = r.body;
  }
  if (!body) return 1;
  return save(c, a.opts.get('O') as string | undefined, url, body, say);
});

/** One request, one response: the status, a redirect's Location, the body; or an exit code after an error. */
async function fetchOnce(c: Ctx, url: Url, ip: string): Promise<{ code: number; status: string; location?: string; body: Buffer } | number> {
  let conn: Connection;
  try {
    if (!c.p.sys.connect) throw new Error('Network is unreachable');
    conn = await c.p.sys.connect(ip, url.port);
  } catch (e) {
    await c.perror(`can't connect to remote host (${ip})`, e);
    return 1;
  }
  try {
    const hostHeader = url.port === 80 ? url.host : `${url.host}:${url.port}`;
    await conn.output.write(`GET ${url.path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n`);
    const chunks: Buffer[] = [];
    for (;;) {
      const d = await conn.input.read();
      if (d === null) break;
      chunks.push(Buffer.from(d));
    }
    const all = Buffer.concat(chunks);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) {
      await c.error('no response from server');
      return 1;
    }
    const lines = all.subarray(0, end).toString('latin1').split('\r\n');
    const status = (lines[0] ?? '').trim();
    const code = Number(/^HTTP\/\d\.\d (\d{3})/.exec(status)?.[1] ?? 0);
    const header = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    const length = header('content-length');
    const rest = all.subarray(end + 4);
    const body = length !== undefined ? rest.subarray(0, Number(length)) : rest;
    const location = header('location');
    return { code, status, ...(location ? { location } : {}), body };
  } catch (e) {
    rethrowKilled(e);
    await c.perror('error getting response', e);
    return 1;
  } finally {
    conn.output.close();
    conn.input.close();
  }
}

async function save(c: Ctx, out: string | undefined, url: Url, body: Buffer, say: (s: string) => Promise<void>): Promise<ExitCode> {
  const toStdout = out === '-';
  const name = out ?? (url.path.replace(/\?.*/, '').split('/').pop() || 'index.html');
  let w: WriteStream;
  if (toStdout) w = c.p.stdout;
  else {
    try {
      // without -O wget will not overwrite (O_EXCL); -O FILE truncates
      w = await c.fs.openWrite(name, out === undefined ? { create: true, exclusive: true } : { create: true, truncate: true });
    } catch (e) {
      await c.perror(`can't open '${name}'`, e);
      return 1;
    }
  }
  await say(toStdout ? 'writing to stdout' : `saving to '${name}'`);
  try {
    await w.write(body);
  } finally {
    if (!toStdout) w.close();
  }
  await say(progressLine(toStdout ? '-' : name.split('/').pop() ?? name, body.length));
  await say(toStdout ? 'written to stdout' : `'${name}' saved`);
  return 0;
}

/** libbb/progress.c's bar at 100%: the name in 20 columns, the percentage, 32 stars, the size in 5. */
function progressLine(name: string, size: number): string {
  return `${name.padEnd(20).slice(0, 20)} 100% |${'*'.repeat(32)}| ${size5(size)}  0:00:00 ETA`;
}

/** smart_ulltoa5: a number in five columns, scaled by 1024 with a k, M, G... suffix when too wide. */
function size5(n: number): string {
  const suffix = ' kMGTPEZY';
  let v = n;
  let i = 0;
  while (v >= 100000) {
    v = Math.floor(v / 1024);
    i++;
  }
  return i === 0 ? String(v).padStart(5) : `${String(v).padStart(4)}${suffix[i]}`;
}
