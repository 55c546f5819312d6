/**
 * Request timing for the daemon, off by default: with `BOXLAB_TRACE_REQUESTS=1` in its environment
 * every request logs one line when it is done,
 *
 *   trace @1523.07 POST /v1.41/containers/create 201 2.31 ms
 *
 * (`@` the daemon's uptime in ms when the request came, so that overlapping requests can be ordered),
 * timed with the monotonic clock (process.hrtime) from the moment Node hands the request over to the
 * moment its response is written whole. A hijacked request (attach, exec start: `Upgrade: tcp`)
 * never finishes as HTTP: it logs the time to its `101 UPGRADED` (the stream is open) and, when the
 * connection closes, the stream's whole life (`hijacked ... open, ... to close`). What it is for:
 * seeing which request of `docker run --rm` or `docker exec` the daemon spends its time on, next to
 * the docker CLI's own share (bench/containers.ts measures that floor).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function tracingRequests(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.BOXLAB_TRACE_REQUESTS;
  return !!v && v !== '0' && v !== 'false';
}

const ms = (from: bigint) => (Number(process.hrtime.bigint() - from) / 1e6).toFixed(2);

/** Watches one request and logs its time once it is answered (or, hijacked, once its stream closes). */
export function traceRequest(req: IncomingMessage, res: ServerResponse, log: (line: string) => void): void {
  const t0 = process.hrtime.bigint();
  const what = `@${performance.now().toFixed(2)} ${req.method} ${req.url}`;
  let finished = false;
  res.once('finish', () => {
    finished = true;
    log(`trace ${what} ${res.statusCode} ${ms(t0)} ms`);
  });
  // a hijacked connection writes its own head (hijack.ts), then detaches the response before it
  // finished (Node detaches every response's socket once it is written: those are not hijacks)
  const detach = res.detachSocket.bind(res);
  res.detachSocket = (socket) => {
    if (!finished && !res.writableEnded) {
      const opened = ms(t0);
      socket.once('close', () => log(`trace ${what} hijacked ${opened} ms to open, ${ms(t0)} ms to close`));
    }
    detach(socket);
  };
}
