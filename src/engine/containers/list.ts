/**
 * `docker ps`: the rows of `GET /containers/json`, their human Status ("Up 3 seconds", "Exited (0)
 * 2 minutes ago") and the filters the engine applies (status, name, id, label, exited, ancestor,
 * before, since), as moby's daemon/list.go and go-units' HumanDuration make them.
 */
import { BoxlabError } from '../../errors.js';
import { commandString } from './inspect.js';
import type { ContainerRecord } from './record.js';

/** go-units HumanDuration: how Docker says an age. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** The Status column (moby container.State.String()). */
export function statusText(c: ContainerRecord, now: number): string {
  const s = c.state;
  if (s.Running) {
    if (s.Paused) return `Up ${humanDuration(now - Date.parse(s.StartedAt))} (Paused)`;
    return `Up ${humanDuration(now - Date.parse(s.StartedAt))}`;
  }
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Dead) return 'Dead';
  if (s.StartedAt === '0001-01-01T00:00:00Z' || !c.hasBeenStarted) return 'Created';
  if (s.FinishedAt === '0001-01-01T00:00:00Z') return '';
  return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
}

export type Filters = Record<string, string[]>;

/** `filters` as the API takes it: `{"status":["exited"]}` (or the older `{"status":{"exited":true}}`). */
export function parseFilters(raw: string | undefined): Filters {
  if (!raw) return {};
  let j: unknown;
  try {
    j = JSON.parse(raw);
  } catch {
    throw new BoxlabError('InvalidArgument', `invalid filter '${raw}'`);
  }
  const out: Filters = {};
  for (const [k, v] of Object.entries(j as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? v.map(String) : Object.keys(v as object);
  }
  return out;
}

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const KNOWN = new Set(['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume']);

export interface ListContext {
  all: boolean;
  filters: Filters;
  limit?: number;
  /** Resolves a container reference (before/since) to its record. */
  get(ref: string): ContainerRecord;
  /** Image IDs that a reference names (ancestor). */
  imageIdsFor(ref: string): string[];
}

export function selectContainers(all: ContainerRecord[], ctx: ListContext): ContainerRecord[] {
  const f = ctx.filters;
  for (const k of Object.keys(f)) if (!KNOWN.has(k)) throw new BoxlabError('InvalidArgument', `invalid filter '${k}'`);
  for (const s of f.status ?? [])
    if (!STATUSES.includes(s)) throw new BoxlabError('InvalidArgument', `invalid filter 'status=${s}'`);
  let list = all;
  // status filters and `exited` imply all containers (moby: a status filter overrides -a)
  const showAll = ctx.all || !!f.status?.length || !!f.exited?.length;
  if (!showAll) list = list.filter((c) => c.state.Running || c.state.Restarting);
  if (f.status?.length) list = list.filter((c) => f.status!.includes(c.state.Status));
  if (f.name?.length) list = list.filter((c) => f.name!.some((n) => new RegExp(n).test(c.name.slice(1)) || new RegExp(n).test(c.name)));
  if (f.id?.length) list = list.filter((c) => f.id!.some((p) => c.id.startsWith(p)));
  if (f.label?.length)
    list = list.filter((c) =>
      f.label!.every((l) => {
        const [k, v] = l.split('=', 2) as [string, string | undefined];
        return k in c.config.Labels && (v === undefined || c.config.Labels[k] === v);
      }),
    );
  if (f.exited?.length) list = list.filter((c) => !c.state.Running && c.hasBeenStarted && f.exited!.includes(String(c.state.ExitCode)));
  if (f.ancestor?.length) {
    const ids = new Set(f.ancestor.flatMap((a) => ctx.imageIdsFor(a)));
    list = list.filter((c) => ids.has(c.image));
  }
  if (f.before?.length) {
    const b = ctx.get(f.before[0]!);
    list = list.filter((c) => c.created < b.created);
  }
  if (f.since?.length) {
    const s = ctx.get(f.since[0]!);
    list = list.filter((c) => c.created > s.created);
  }
  if (ctx.limit !== undefined && ctx.limit > 0) list = list.slice(0, ctx.limit);
  return list;
}

/** One row of `GET /containers/json` (moby types.Container), in its key order. */
export function containerRow(
  c: ContainerRecord,
  now: number,
  extra: { ports: unknown[]; sizeRw?: number; sizeRootFs?: number },
): Record<string, unknown> {
  return {
    Id: c.id,
    Names: [c.name],
    Image: c.config.Image,
    ImageID: c.image,
    Command: commandString(c),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: extra.ports,
    ...(extra.sizeRw !== undefined ? { SizeRw: extra.sizeRw, SizeRootFs: extra.sizeRootFs } : {}),
    Labels: c.config.Labels,
    State: c.state.Status,
    Status: statusText(c, now),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode },
    NetworkSettings: { Networks: c.networks },
    Mounts: c.mounts.map((m) => ({ ...m })),
  };
}
