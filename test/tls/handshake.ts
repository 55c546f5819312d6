/**
 * A TLS server configured as `dockerd --tlsverify` configures its listener (go-connections'
 * tlsconfig.Server with ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs from --tlscacert), here in
 * node:tls, i.e. OpenSSL: it asks for a client certificate and verifies it against the CA (OpenSSL
 * checks a client's for the purpose sslclient, i.e. its extendedKeyUsage). It lets in only a client so
 * verified, and says why it refused one: handshake() starts one for one client, pings it, stops it, and
 * returns 'ok', or `refused: ` and Node's authorizationError (an OpenSSL X509_V_ERR name), or the
 * client's own failure.
 */
import { createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { certificatePem, privateKeyPem, type Credential, type DockerTls } from '../../src/tls/index.js';
import { pingOverTls } from '../helpers/tls.js';

export async function handshake(set: DockerTls, o: { host: string; client?: Credential }): Promise<string> {
  const server = createServer(
    {
      cert: certificatePem(set.server),
      key: privateKeyPem(set.server),
      ca: certificatePem(set.ca),
      requestCert: true,
      // Verified here rather than by Node, which would close the connection without saying why.
      rejectUnauthorized: false,
    },
    (s) => {
      s.on('error', () => {});
      if (!s.authorized) {
        refusal = `refused: ${String(s.authorizationError)}`;
        return void s.destroy();
      }
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK'));
    },
  );
  let refusal: string | undefined;
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const r = await pingOverTls({ host: o.host, port: (server.address() as AddressInfo).port, ca: set.ca, client: o.client });
    return refusal ?? r;
  } finally {
    await new Promise((r) => server.close(r));
  }
}
