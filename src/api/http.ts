/**
 * What every handler needs from a request and for a response, as moby's api/server/httputils
 * gives it: the query's booleans (BoolValue), the `filters` argument (api/types/filters), and JSON
 * written as Go's encoder writes it (one value and a newline).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BoxlabError } from '../errors.js';
import { UnclassifiedError } from './errors.js';

/** A request as the handlers see it: its API version and its query. */
export interface ApiRequest extends IncomingMessage {
  apiVersion: string;
  query: URLSearchParams;
  params: Record<string, string | string[]>;
}

/** A path parameter; a `*name` wildcard (a name with slashes) arrives as its segments. */
export function param(req: ApiRequest, name: string): string {
  const v = req.params[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}

/**
 * httputils.BoolValue: a value other than empty, `0`, `no`, `false` or `none` is true
 * (so `force=notabool` forces, as oracles.md notes).
 */
export function boolValue(q: URLSearchParams, key: string): boolean {
  const s = (q.get(key) ?? '').trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

/** httputils.BoolValueOrDefault: the default when the key is absent. */
export function boolValueOrDefault(q: URLSearchParams, key: string, dflt: boolean): boolean {
  return q.has(key) ? boolValue(q, key) : dflt;
}

/** Go's json.Marshal escapes <, > and & in strings (the JSON message streams keep that). */
export function goJson(value: unknown, escapeHtml = false): string {
  const s = JSON.stringify(value);
  return escapeHtml ? s.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : s;
}

/** httputils.WriteJSON: the value, a newline, Content-Type application/json. */
export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${goJson(value)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** An empty answer with a status (201 for a tag, 204 for ...), as moby's WriteHeader alone. */
export function writeStatus(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

export type Filters = Map<string, string[]>;

/**
 * filters.FromJSON: `{"key":{"value":true}}` (what clients send) or the legacy `{"key":["value"]}`.
 * Malformed JSON is moby's untyped json error: a 500.
 */
export function parseFilters(raw: string | null): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new UnclassifiedError(`invalid filters: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UnclassifiedError('json: cannot unmarshal filters: not an object');
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (v && typeof v === 'object') out.set(k, Object.keys(v).filter((x) => (v as Record<string, unknown>)[x]));
    else throw new UnclassifiedError(`json: cannot unmarshal filter ${k}`);
  }
  return out;
}

/** filters.Validate: every key must be one the endpoint accepts (`Invalid filter 'x'`, a 400). */
export function validateFilters(f: Filters, accepted: readonly string[]): void {
  for (const k of f.keys()) if (!accepted.includes(k)) throw new BoxlabError('InvalidArgument', `Invalid filter '${k}'`);
}

/**
 * filters.GetBoolOrDefault: the key's one boolean (`true`/`1`, `false`/`0`), else moby's
 * `Invalid filter 'key=[values]'`.
 */
export function filterBool(f: Filters, key: string): boolean | undefined {
  const v = f.get(key);
  if (!v || v.length === 0) return undefined;
  const lower = v.map((x) => x.toLowerCase());
  if (lower.every((x) => x === 'true' || x === '1')) return true;
  if (lower.every((x) => x === 'false' || x === '0')) return false;
  throw new BoxlabError('InvalidArgument', `Invalid filter '${key}=[${v.join(' ')}]'`);
}
