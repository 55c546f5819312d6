/**
 * `boxlab/webapp:1.0`, built FROM boxlab/alpine:3.20 (its layer blob is shared as is). Each layer
 * shows one thing a loader must get right, as a Dockerfile would have made it:
 *   adduser        rewrites /etc/passwd, /etc/group, /etc/shadow of the base; a home owned by 1000
 *   COPY app       files owned by 1000:1000, a hardlink, a non-ASCII name, a path over 100 bytes
 *   apk add        a setuid binary (/bin/bbsuid, 4111, as busybox-suid installs it); rewrites the apk db
 *   COPY config    a new directory in /etc
 *   rm motd        a whiteout of a base file (/etc/motd) and of a base directory (/var/spool)
 *   rebuild assets /app/public replaced as a whole: an opaque directory
 */
import type { ImageSpec, Op } from '../src/oci/build.js';
import { ALPINE_PACKAGES, GROUP, PASSWD, SHADOW, apkInstalled } from './alpine.js';

const APP = { uid: 1000, gid: 1000 };

const SERVER = `#!/bin/sh
# webapp: serves /app/public on $PORT (a boxlab sample; the shell inside boxlab runs it)
cd /app/public || exit 1
echo "webapp $APP_VERSION listening on :$PORT"
exec httpd -f -p "$PORT" -h /app/public
`;

/** A path of more than 100 bytes: it needs the ustar prefix field (or PAX) in the layer tar. */
export const LONG_PATH =
  'app/node_modules/@boxlab/instrumentation-http-server-middleware/dist/esm/internal/handlers/request-lifecycle-hooks.js';

/** A non-ASCII name: PAX `path` record in the layer tar. */
export const UNICODE_PATH = 'app/docs/guide-français-日本語.md';

const copyApp: Op[] = [
  { op: 'dir', path: 'app', mode: 0o755, ...APP },
  { op: 'dir', path: 'app/bin', mode: 0o755, ...APP },
  { op: 'file', path: 'app/bin/webapp', content: SERVER, mode: 0o755, ...APP },
  // Two names, one inode: `serve` is a hardlink to `webapp` in the same layer.
  { op: 'hardlink', path: 'app/bin/serve', target: 'app/bin/webapp' },
  { op: 'file', path: 'app/package.json', content: '{\n  "name": "webapp",\n  "version": "1.0.0",\n  "private": true\n}\n', ...APP },
  { op: 'dir', path: 'app/public', mode: 0o755, ...APP },
  { op: 'file', path: 'app/public/index.html', content: '<!doctype html>\n<title>webapp</title>\n<h1>Hello from webapp 1.0</h1>\n<script src="app.js"></script>\n', ...APP },
  { op: 'file', path: 'app/public/app.js', content: 'console.log("webapp 1.0, build 1");\n', ...APP },
  { op: 'file', path: 'app/public/legacy.css', content: 'body { font-family: serif; }\n', ...APP },
  { op: 'dir', path: 'app/docs', mode: 0o755, ...APP },
  { op: 'file', path: UNICODE_PATH, content: '# Guide\n\nÇa marche. 動きます。\n', ...APP },
  { op: 'file', path: LONG_PATH, content: 'export function onRequest(req) { return req; }\n', ...APP },
];

export const webapp: ImageSpec = {
  name: 'boxlab/webapp:1.0',
  created: '2024-10-01T09:30:00Z',
  steps: [
    { emptyLayer: true, createdBy: 'ENV APP_VERSION=1.0 PORT=8080' },
    {
      createdBy: 'RUN /bin/sh -c addgroup -g 1000 app && adduser -D -u 1000 -G app app # buildkit',
      ops: [
        { op: 'file', path: 'etc/group', content: `${GROUP}app:x:1000:app\n` },
        { op: 'file', path: 'etc/passwd', content: `${PASSWD}app:x:1000:1000:Linux User,,,:/home/app:/bin/sh\n` },
        { op: 'file', path: 'etc/shadow', content: `${SHADOW}app:!:19997:0:99999:7:::\n`, mode: 0o640, gid: 42 },
        { op: 'dir', path: 'home/app', mode: 0o2755, ...APP },
      ],
    },
    { emptyLayer: true, createdBy: 'WORKDIR /app' },
    { createdBy: 'COPY --chown=1000:1000 app/ /app/ # buildkit', ops: copyApp, parentAttrs: APP },
    {
      createdBy: 'RUN /bin/sh -c apk add --no-cache busybox-suid # buildkit',
      ops: [
        { op: 'file', path: 'bin/bbsuid', content: 'boxlab stand-in for bbsuid: runs setuid applets (passwd, su, ping) as root\n', mode: 0o4111 },
        { op: 'file', path: 'etc/apk/world', content: 'alpine-baselayout\napk-tools\nbusybox\nbusybox-suid\nmusl\n' },
        {
          op: 'file',
          path: 'lib/apk/db/installed',
          content: apkInstalled([...ALPINE_PACKAGES, { name: 'busybox-suid', version: '1.36.1-r29', desc: 'suid binary for BusyBox applets that need root', files: ['bin/bbsuid'] }]),
        },
      ],
    },
    {
      createdBy: 'COPY config.json /etc/webapp/config.json # buildkit',
      ops: [{ op: 'file', path: 'etc/webapp/config.json', content: '{\n  "listen": ":8080",\n  "root": "/app/public",\n  "log": "stdout"\n}\n' }],
    },
    {
      createdBy: 'RUN /bin/sh -c rm /etc/motd && rm -rf /var/spool # buildkit',
      ops: [
        { op: 'whiteout', path: 'etc/motd' },
        { op: 'whiteout', path: 'var/spool' },
      ],
    },
    {
      createdBy: 'RUN /bin/sh -c rm -rf /app/public && mkdir /app/public && build-assets --out /app/public # buildkit',
      ops: [
        { op: 'dir', path: 'app/public', mode: 0o755, ...APP },
        { op: 'opaque', path: 'app/public' },
        { op: 'file', path: 'app/public/index.html', content: '<!doctype html>\n<title>webapp</title>\n<h1>Hello from webapp 1.0</h1>\n<script src="app.3f9c2d.js"></script>\n', ...APP },
        { op: 'file', path: 'app/public/app.3f9c2d.js', content: 'console.log("webapp 1.0, build 2");\n', ...APP },
      ],
    },
    { emptyLayer: true, createdBy: 'EXPOSE map[8080/tcp:{}]' },
    { emptyLayer: true, createdBy: 'LABEL org.opencontainers.image.title=webapp org.opencontainers.image.version=1.0' },
    { emptyLayer: true, createdBy: 'CMD ["/app/bin/webapp"]' },
  ],
  config: {
    Env: ['APP_VERSION=1.0', 'PORT=8080'],
    WorkingDir: '/app',
    ExposedPorts: ['8080/tcp'],
    Labels: { 'org.opencontainers.image.title': 'webapp', 'org.opencontainers.image.version': '1.0' },
    Cmd: ['/app/bin/webapp'],
  },
};
