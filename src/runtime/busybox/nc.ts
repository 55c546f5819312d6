/**
 * `nc HOST PORT` and `nc -l -p PORT`: busybox's small netcat (networking/nc.c, Debian's 1.35 build,
 * without nc_bloaty's -k) over the model's TCP (runtime/tcp.ts). After connecting (or accepting one
 * connection) it copies stdin to the socket and the socket to stdout until the socket closes; end of
 * stdin does not shut the socket's writing side (nc.c only stops polling stdin), so two nc's that
 * both wait on the other wait for ever, as real ones do; `-w SEC` ends the wait SEC seconds after
 * stdin ends. Errors as measured: "nc: can't connect to remote host (172.18.0.2): Connection
 * refused", "nc: bad address 'x'", "nc: bind: Address already in use".
 */
import type { Connection, ExitCode } from '../program.js';
import { applet, getopt, rethrowKilled, type Ctx } from './common.js';
import { resolveHost } from './net.js';

export const nc = applet('nc', async (c): Promise<ExitCode> => {
  const a = await getopt(c, 'lp:w:i:f:e:');
  if (!a) return 1;
  const wait = a.opts.has('w') ? Number(a.opts.get('w')) : undefined;
  let conn: Connection;
  if (a.opts.has('l')) {
    const port = Number(a.opts.get('p') ?? 0);
    if (a.args.length > 0 || !Number.isInteger(port) || port <= 0) return c.usage();
    try {
      if (!c.p.sys.listen) throw new Error('no network namespace');
      const sock = c.p.sys.listen(port);
      conn = await sock.accept();
      sock.close();
    } catch (e) {
      await c.perror('bind', e);
      return 1;
    }
  } else {
    const [host, portText] = a.args;
    if (host === undefined || portText === undefined || a.args.length > 2) return c.usage();
    const ip = (await resolveHost(c, host))[0];
    if (ip === undefined) {
      await c.error(`bad address '${host}'`);
      return 1;
    }
    try {
      if (!c.p.sys.connect) throw new Error('Network is unreachable');
      conn = await c.p.sys.connect(ip, Number(portText));
    } catch (e) {
      await c.perror(`can't connect to remote host (${ip})`, e);
      return 1;
    }
  }
  return relay(c, conn, wait);
});

/** Both directions at once; done when the socket reaches end of file (or -w after stdin's end). */
async function relay(c: Ctx, conn: Connection, wait: number | undefined): Promise<ExitCode> {
  let stdinDone!: () => void;
  const stdinEnded = new Promise<void>((r) => (stdinDone = r));
  const up = (async () => {
    try {
      for (;;) {
        const d = await c.p.stdin.read();
        if (d === null) break;
        await conn.output.write(d);
      }
    } catch (e) {
      rethrowKilled(e);
    }
    stdinDone();
  })();
  const down = (async () => {
    for (;;) {
      const d = await conn.input.read();
      if (d === null) return;
      await c.p.stdout.write(d);
    }
  })();
  down.catch(() => {}); // read by the race below; a late failure after -w ended it is nobody's
  const timeout = wait === undefined ? new Promise<void>(() => {}) : stdinEnded.then(() => c.p.sys.sleep(wait * 1000));
  try {
    await Promise.race([down, timeout]);
  } finally {
    conn.output.close();
    conn.input.close();
    void up.catch(() => {});
  }
  return 0;
}
