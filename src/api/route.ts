/**
 * A route as moby's api/server/router declares one: a method, a path (unversioned: the server
 * serves it under `/v1.NN` too) and a handler. Each resource's router (system, images; later
 * containers, volumes, networks, exec) is a function from its small backend to its routes.
 * Paths use the router library's syntax: `:name` one segment, `*name` segments (image names have
 * slashes, as moby's `{name:.*}`).
 */
import type { ServerResponse } from 'node:http';
import type { ApiRequest } from './http.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  method: Method;
  path: string;
  handler: (req: ApiRequest, res: ServerResponse) => Promise<void> | void;
}
