import { describe, expect, it } from 'vitest';
import { run } from '../../labs/04-client-and-daemon.js';

describe('lab 04: client and daemon', () => {
  it('shows the socket, a request, the events stream, and a TLS daemon letting in only the client its CA signed', async () => {
    let text = '';
    await run({ write: (s) => void (text += s) });
    expect(text).toMatch(/docker\.sock {2}type=socket mode=660/);
    expect(text).toMatch(/image tag \{"name":"lab\/copy:1"\}/);
    expect(text).toMatch(/server-cert\.pem {2}CN=localhost, issued by CN=boxlab CA, SAN DNS:localhost IP:127\.0\.0\.1, for serverAuth/);
    expect(text).toMatch(/the recipe's client \(cert\.pem\): +let in: HTTP\/1\.1 200 OK \.\.\. OK/);
    expect(text).toMatch(/no client certificate: +kept out: /);
    expect(text).toMatch(/a certificate another CA signed: +kept out: /);
  }, 60_000);
});
