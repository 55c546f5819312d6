/**
 * The one place where an error becomes an HTTP status and a body, as moby's
 * api/server/httpstatus (FromError) and httputils.MakeErrorHandler do: the error's kind decides the
 * status (errdefs: NotFound 404, Conflict 409, InvalidParameter 400, anything else 500), and the
 * body is `{"message": ...}`, except for a request naming an API version before 1.23, which gets
 * the message as plain text (http.Error), as Engine 20.10 answers old clients.
 */
import type { ServerResponse } from 'node:http';
import { BoxlabError, type ErrorCode } from '../errors.js';
import { NetworkError } from '../network/errors.js';
import { networkWords } from './network-words.js';
import { versionLess } from './version.js';

/**
 * An error moby returns without an errdefs kind (a reference that does not parse in
 * `POST /images/{name}/tag`, a bad `filters` JSON, ...): Docker answers 500, and so does boxlab.
 */
export class UnclassifiedError extends Error {}

/** A request the API itself refuses (a bad version, a malformed query): always this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  NotFound: 404,
  AlreadyExists: 409,
  FailedPrecondition: 409,
  Forbidden: 403,
  InvalidArgument: 400,
  // what a client sent that is not what it claims (a bad archive, a bad digest) is its mistake
  InvalidArchive: 400,
  DigestMismatch: 400,
};

export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof BoxlabError) return STATUS[err.code] ?? 500;
  return 500;
}

/** The words a client reads for an error (a NetworkError worded as Docker words it). */
export function errorWords(err: unknown): string {
  return err instanceof NetworkError ? networkWords(err) : err instanceof Error ? err.message : String(err);
}

/** Writes the error, unless the response has started (a stream reports its own errors inside). */
export function writeError(res: ServerResponse, err: unknown, apiVersion: string | undefined): void {
  const message = errorWords(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = statusOf(err);
  if (apiVersion && versionLess(apiVersion, '1.23')) {
    const body = `${message}\n`;
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  const body = `${JSON.stringify({ message })}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
