/**
 * The TCP model of a network namespace (src/runtime/tcp.ts): bind rules, the backlog, byte streams
 * both ways with end of file as FIN, a refused connect, and a listener's close resetting what it had
 * not accepted.
 */
import { describe, expect, it } from 'vitest';
import { isSysErrno } from '../../src/runtime/errno.js';
import { TcpSockets } from '../../src/runtime/tcp.js';

const text = async (r: { read(max: number): Promise<Uint8Array | null> }) => {
  let s = '';
  for (let d = await r.read(100); d !== null; d = await r.read(100)) s += Buffer.from(d).toString();
  return s;
};

describe('TCP sockets of a namespace', () => {
  it('refuses a second bind of a port on the same address or the wildcard, allows another address', () => {
    const ns = new TcpSockets();
    ns.listen(80, '172.17.0.2');
    expect(() => ns.listen(80, '172.17.0.2')).toThrow(expect.objectContaining({ errno: 'EADDRINUSE' }));
    expect(() => ns.listen(80)).toThrow(expect.objectContaining({ errno: 'EADDRINUSE' }));
    expect(() => ns.listen(80, '127.0.0.1')).not.toThrow();
    expect(ns.listening()).toEqual([{ ip: '172.17.0.2', port: 80 }, { ip: '127.0.0.1', port: 80 }]);
  });

  it('carries bytes both ways; closing a writing side is the end of file the other reads', async () => {
    const ns = new TcpSockets();
    const l = ns.listen(8000);
    const client = ns.connect('172.17.0.2', 8000, '172.17.0.3:40000');
    const server = await l.accept();
    expect(server.remote).toBe('172.17.0.3:40000');
    expect(client.remote).toBe('0.0.0.0:8000');
    await client.writer.write(Buffer.from('GET /'));
    client.writer.close();
    expect(await text(server.reader)).toBe('GET /');
    await server.writer.write(Buffer.from('200'));
    server.close();
    expect(await text(client.reader)).toBe('200');
  });

  it('refuses a connect to a port nothing listens on, and after the listener closed', () => {
    const ns = new TcpSockets();
    expect(() => ns.connect('127.0.0.1', 9, 'x:1')).toThrow(expect.objectContaining({ errno: 'ECONNREFUSED' }));
    const l = ns.listen(9);
    l.close();
    let err: unknown;
    try {
      ns.connect('127.0.0.1', 9, 'x:1');
    } catch (e) {
      err = e;
    }
    expect(isSysErrno(err, 'ECONNREFUSED')).toBe(true);
  });

  it('resets queued connections when the listener closes, and a waiting accept fails', async () => {
    const ns = new TcpSockets();
    const l = ns.listen(7);
    const client = ns.connect('127.0.0.1', 7, 'x:1');
    l.close();
    expect(await client.reader.read(10)).toBeNull();
    await expect(client.writer.write(Buffer.from('x'))).rejects.toThrow(expect.objectContaining({ errno: 'EPIPE' }));
    const l2 = ns.listen(7);
    const waiting = l2.accept();
    ns.closeAll();
    await expect(waiting).rejects.toThrow(expect.objectContaining({ errno: 'EINVAL' }));
  });
});
