/**
 * `httpd -p [IP:]PORT -h HOME [-f]`: busybox's small web server (networking/httpd.c, 1.35) over the
 * model's TCP sockets (runtime/tcp.ts). It binds first (a taken port: "httpd: bind: Address already
 * in use", exit 1), then, without -f, daemonizes (bb_daemonize: the parent exits 0, a child serves).
 * Each connection gets one response, `Connection: close`, in the order and words busybox writes
 * them (measured with busybox-static against curl): GET and HEAD of files under HOME (HEAD sends the
 * body too, as 1.35 does), index.html for a directory, 302 to DIR/ for a directory named without the
 * slash, 404 for what is missing, 400 for a request line it does not take, 501 for other methods.
 */
import type { Connection, ExitCode, ListeningSocket } from '../program.js';
import { Ctx, applet, getopt, readAll, rethrowKilled } from './common.js';

/** An HTTP date (RFC 7231 IMF-fixdate), as busybox's strftime "%a, %d %b %Y %H:%M:%S GMT" writes it. */
const httpDate = (ms: number) => new Date(ms).toUTCString();

/** httpd.c's suffixTable: a file's Content-type by its suffix; none is sent for others. */
const MIME: Record<string, string> = {
  htm: 'text/html', html: 'text/html', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', png: 'image/png',
  svg: 'image/svg+xml', txt: 'text/plain', h: 'text/plain', c: 'text/plain', cc: 'text/plain', cpp: 'text/plain',
  css: 'text/css', wav: 'audio/wav', avi: 'video/x-msvideo', qt: 'video/quicktime', mov: 'video/quicktime',
  mpe: 'video/mpeg', mpeg: 'video/mpeg', mid: 'audio/midi', midi: 'audio/midi', mp3: 'audio/mpeg', js: 'application/javascript',
};

const REASON: Record<number, [string, string]> = {
  400: ['Bad Request', 'Unsupported method'],
  404: ['Not Found', 'The requested URL was not found'],
  501: ['Not Implemented', 'The requested method is not recognized'],
};

export const httpd = applet('httpd', async (c): Promise<ExitCode> => {
  const a = await getopt(c, 'ifvp:h:u:r:c:');
  if (!a) return 1;
  const [ip, port] = bindAddress(String(a.opts.get('p') ?? '80'));
  if (port === undefined) {
    await c.error(`invalid port number '${String(a.opts.get('p'))}'`);
    return 1;
  }
  const home = c.fs.resolve(String(a.opts.get('h') ?? '.'));
  let sock: ListeningSocket;
  try {
    if (!c.p.sys.listen) throw new Error('no network namespace');
    sock = c.p.sys.listen(port, ip);
  } catch (e) {
    await c.perror('bind', e);
    return 1;
  }
  if (a.opts.has('f')) return serve(c, sock, home);
  // bb_daemonize: the parent returns at once; the child holds the socket and serves
  const sys = c.p.sys;
  let adopted!: () => void;
  const ready = new Promise<void>((r) => (adopted = r));
  await sys.fork(async (child) => {
    const mine = child.sys.adoptListener?.(sock) ?? sock;
    adopted();
    return serve(new Ctx(child, 'httpd'), mine, home);
  });
  await ready;
  sock.close();
  return 0;
});

/** -p PORT or -p IP:PORT; httpd's default is *:80. */
function bindAddress(spec: string): [string | undefined, number | undefined] {
  const i = spec.lastIndexOf(':');
  const ip = i >= 0 ? spec.slice(0, i) : undefined;
  const n = Number(i >= 0 ? spec.slice(i + 1) : spec);
  return [ip || undefined, Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined];
}

async function serve(c: Ctx, sock: ListeningSocket, home: string): Promise<ExitCode> {
  for (;;) {
    let conn: Connection;
    try {
      conn = await sock.accept();
    } catch (e) {
      rethrowKilled(e);
      return 1;
    }
    // httpd forks a child per connection; the model answers each without waiting on it. A failure
    // there (the server killed mid-answer, the client gone) ends that answer only, as a child's would.
    void answer(c, conn, home).catch(() => {});
  }
}

/** The request head: up to the blank line (busybox reads at most a few KB of it). */
async function readHead(conn: Connection): Promise<string> {
  let text = '';
  while (!/\r?\n\r?\n/.test(text) && text.length < 8192) {
    const chunk = await conn.input.read();
    if (chunk === null) break;
    text += Buffer.from(chunk).toString('latin1');
  }
  return text;
}

async function answer(c: Ctx, conn: Connection, home: string): Promise<void> {
  try {
    const head = await readHead(conn);
    const [method = '', rawUrl = '', version] = (head.split(/\r?\n/)[0] ?? '').split(' ');
    const url = decodeURIComponentSafe(rawUrl.split('?')[0] ?? '');
    if (!version || !url?.startsWith('/') || url.split('/').includes('..')) return await error(c, conn, 400);
    if (method !== 'GET' && method !== 'HEAD') return await error(c, conn, 501);
    await sendPath(c, conn, home, url);
  } finally {
    conn.output.close();
    conn.input.close();
  }
}

function decodeURIComponentSafe(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

async function sendPath(c: Ctx, conn: Connection, home: string, url: string): Promise<void> {
  let path = `${home.replace(/\/$/, '')}${url}`;
  let st = await c.fs.stat(path).catch(() => null);
  if (st?.type === 'dir') {
    if (!url.endsWith('/')) return head(c, conn, 302, 'Found', { 'Content-type': 'text/html', Location: `${url}/` }, '');
    path = `${path}index.html`;
    st = await c.fs.stat(path).catch(() => null);
  }
  if (!st || st.type !== 'file') return error(c, conn, 404);
  let body: Buffer;
  try {
    const r = await c.fs.openRead(path);
    try {
      body = await readAll(r);
    } finally {
      r.close();
    }
  } catch (e) {
    rethrowKilled(e);
    return error(c, conn, 404);
  }
  const mtime = Math.floor(st.mtime);
  const type = MIME[/\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? ''];
  await head(c, conn, 200, 'OK', {
    ...(type ? { 'Content-type': type } : {}),
    'Accept-Ranges': 'bytes',
    'Last-Modified': httpDate(mtime * 1000),
    ETag: `"${mtime.toString(16)}-${body.length.toString(16)}"`,
    'Content-Length': String(body.length),
  }, body);
}

async function error(c: Ctx, conn: Connection, code: 400 | 404 | 501): Promise<void> {
  const [reason, text] = REASON[code]!;
  const body = `<HTML><HEAD><TITLE>${code} ${reason}</TITLE></HEAD>\n<BODY><H1>${code} ${reason}</H1>\n${text}\n</BODY></HTML>\n`;
  await head(c, conn, code, reason, { 'Content-type': 'text/html' }, body);
}

/** Status line, Date and Connection first, then the response's own headers, a blank line, the body. */
async function head(c: Ctx, conn: Connection, code: number, reason: string, headers: Record<string, string>, body: string | Buffer): Promise<void> {
  let text = `HTTP/1.1 ${code} ${reason}\r\nDate: ${httpDate(c.p.sys.now())}\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
  await conn.output.write(Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), Buffer.from(body)]));
}
