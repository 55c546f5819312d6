/**
 * The Engine API's HTTP handler, as moby's api/server/server.go builds it: every resource's routes
 * registered once, served at `/v1.NN/path` and at `/path`; a routed request gets the version
 * middleware (Server, Api-Version and Ostype headers; too old or too new a version refused), then
 * the experimental header, then its handler; an error becomes a status and body in one place
 * (errors.ts); an unknown path or method is `404 {"message":"page not found"}`, as dockerd answers.
 *
 * Routing uses `router` (pillarjs, Express 5's router, path-to-regexp 8) rather than a hand-written
 * matcher or find-my-way: image (and container) names contain slashes, which moby routes with
 * gorilla/mux's `{name:.*}` in the middle of a path (`/images/{name:.*}/json`); path-to-regexp's
 * `*name` wildcard does that anywhere in a path, find-my-way's parameters stop at a `/`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import Router from 'router';
import { VERSION } from '../version.js';
import { HttpError, writeError } from './errors.js';
import type { ApiRequest } from './http.js';
import type { Route } from './route.js';
import { API_VERSION, MIN_API_VERSION, compareVersions } from './version.js';

export const SERVER_HEADER = `boxlab/${VERSION} (linux)`;

/** moby middleware/version.go: the headers, then the version check. */
function versionMiddleware(req: ApiRequest, res: ServerResponse): void {
  res.setHeader('Server', SERVER_HEADER);
  res.setHeader('Api-Version', API_VERSION);
  res.setHeader('Ostype', 'linux');
  if (compareVersions(req.apiVersion, MIN_API_VERSION) < 0)
    throw new HttpError(
      400,
      `client version ${req.apiVersion} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  if (compareVersions(req.apiVersion, API_VERSION) > 0)
    throw new HttpError(400, `client version ${req.apiVersion} is too new. Maximum supported API version is ${API_VERSION}`);
  res.setHeader('Docker-Experimental', 'false');
}

function wrap(route: Route) {
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => {
    // the router runs GET routes for HEAD; gorilla/mux (dockerd) does not
    if (req.method === 'HEAD' && route.method !== 'HEAD') return next();
    const api = req as ApiRequest;
    Promise.resolve()
      .then(() => {
        versionMiddleware(api, res);
        // Go's ParseForm refuses `;` in a query since 1.17 (a 400), before any handler runs
        if (/;/.test((req.url ?? '').split('?')[1] ?? '')) throw new HttpError(400, 'invalid semicolon separator in query');
        return route.handler(api, res);
      })
      .catch((err: unknown) => writeError(res, err, api.apiVersion));
  };
}

function notFound(res: ServerResponse): void {
  const body = `${JSON.stringify({ message: 'page not found' })}\n`;
  res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Go's net/http answer to a request line it cannot read (a bad %-escape). */
function badRequest(res: ServerResponse): void {
  res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end('400 Bad Request');
}

/** The request handler for a set of routes (every resource's). */
export function apiHandler(routes: readonly Route[]): (req: IncomingMessage, res: ServerResponse) => void {
  const router = new Router({ strict: true, caseSensitive: true });
  for (const r of routes) router[r.method === 'HEAD' ? 'head' : (r.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete')](r.path, wrap(r));

  return (req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q + 1);
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return badRequest(res);
    }
    // gorilla/mux cleans the decoded path and redirects to the clean one (a `..%2F` gets a 301)
    let clean = posix.normalize(path.startsWith('/') ? path : `/${path}`);
    if (clean !== '/' && clean.endsWith('/') && !path.endsWith('/')) clean = clean.slice(0, -1);
    if (clean !== path) {
      res.writeHead(301, { Location: encodePath(clean) + (query ? `?${query}` : ''), 'Content-Length': 0 });
      return void res.end();
    }
    const m = /^\/v([0-9.]+)(\/.*)$/.exec(path);
    const api = req as ApiRequest;
    api.apiVersion = m ? m[1]! : API_VERSION;
    api.query = new URLSearchParams(query);
    // the router decodes parameters itself: hand it the decoded path, escaped once again
    req.url = encodePath(m ? m[2]! : path) + (query ? `?${query}` : '');
    router(req, res, (err?: unknown) => (err ? writeError(res, err, api.apiVersion) : notFound(res)));
  };
}

function encodePath(p: string): string {
  return p
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%3A/gi, ':'))
    .join('/');
}
