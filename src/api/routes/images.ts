/**
 * The image router (moby api/server/router/image): list, inspect, history, tag, remove, load, save
 * and prune, each a thin handler over the image service. Answers are shaped as Engine 20.10's
 * (api/types ImageSummary, ImageInspect, HistoryResponseItem, ImageDeleteResponseItem).
 */
import type { ServerResponse } from 'node:http';
import type { Digest } from '../../digest.js';
import { BoxlabError } from '../../errors.js';
import type { ImageService, ImageSummary, RemovedItem } from '../../engine/images.js';
import { filterImages, type ImageFilters } from '../../engine/image-query.js';
import { loadLines } from '../../docker-words.js';
import { familiarName, familiarString, parseReference } from '../../oci/reference.js';
import { UnclassifiedError } from '../errors.js';
import {
  boolValue,
  boolValueOrDefault,
  filterBool,
  param,
  parseFilters,
  validateFilters,
  writeJson,
  writeStatus,
  type ApiRequest,
  type Filters,
} from '../http.js';
import type { Route } from '../route.js';
import { JsonMessageStream, streamTar } from '../streams.js';

/** What the image router needs of the engine. */
export type ImagesBackend = Pick<ImageService, 'list' | 'inspect' | 'history' | 'resolve' | 'tag' | 'remove' | 'load' | 'save' | 'prune' | 'importImage'>;

const unix = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

/** api/types ImageSummary, fields in Go's order; an untagged image shows `<none>:<none>`. */
export function imageSummaryJson(img: ImageSummary, tags: string[], extra: { containers: number; sharedSize: number }): Record<string, unknown> {
  const untagged = img.tags.length === 0;
  return {
    Containers: extra.containers,
    Created: unix(img.created),
    Id: img.id,
    Labels: img.labels,
    ParentId: '',
    RepoDigests: untagged ? ['<none>@<none>'] : null,
    RepoTags: untagged ? ['<none>:<none>'] : tags,
    SharedSize: extra.sharedSize,
    Size: img.size,
    VirtualSize: img.size,
  };
}

async function listFilters(images: ImagesBackend, f: Filters): Promise<ImageFilters> {
  validateFilters(f, ['dangling', 'label', 'before', 'since', 'reference']);
  const createdOf = async (ref: string) => (await images.inspect(ref)).Created as string;
  const out: ImageFilters = {};
  const dangling = filterBool(f, 'dangling');
  if (dangling !== undefined) out.dangling = dangling;
  if (f.get('reference')?.length) out.reference = f.get('reference')!;
  if (f.get('label')?.length) out.label = f.get('label')!;
  // moby takes the last value given for before and since
  const before = f.get('before')?.at(-1);
  if (before !== undefined) out.before = await createdOf(before);
  const since = f.get('since')?.at(-1);
  if (since !== undefined) out.since = await createdOf(since);
  return out;
}

/** distribution/reference's errors for `repo` and `tag`, untyped in moby's tag handler: a 500. */
function tagTarget(repo: string, tag: string): string {
  let named;
  try {
    named = parseReference(repo);
  } catch (e) {
    throw new UnclassifiedError((e as Error).message);
  }
  // moby's reference store refuses a repository named like the digest algorithm
  if (familiarName(named) === 'sha256') throw new BoxlabError('InvalidArgument', 'refusing to create an ambiguous tag using digest algorithm as name');
  if (tag === '') return familiarString(named);
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new UnclassifiedError('invalid tag format');
  return familiarString({ ...named, tag });
}

/** moby's tarexport: a missing `name:tag` is "reference does not exist", a missing name or ID "No such image". */
async function resolveForSave(images: ImagesBackend, name: string): Promise<Digest> {
  try {
    return await images.resolve(name);
  } catch (e) {
    if (!(e instanceof BoxlabError && e.code === 'NotFound')) throw e;
    const hasTag = name.lastIndexOf(':') > name.lastIndexOf('/') && !name.startsWith('sha256:');
    throw new BoxlabError('NotFound', hasTag ? 'reference does not exist' : `No such image: ${name}`);
  }
}

const deleteItem = (i: RemovedItem) => ('untagged' in i ? { Untagged: i.untagged } : { Deleted: i.deleted });

async function load(images: ImagesBackend, req: ApiRequest, res: ServerResponse): Promise<void> {
  const quiet = boolValueOrDefault(req.query, 'quiet', true);
  const out = new JsonMessageStream(res);
  // the status goes out first: from here on, an error is the stream's last message (oracles.md)
  out.start();
  try {
    const result = await images.load(req, {
      // the client's upload comes as fast as the socket allows: staged in batches (oci/stage.ts)
      batchInput: true,
      onProgress: quiet ? undefined : (p) => out.progress('Loading layer', p.member.replace(/^blobs\/sha256\//, '').slice(0, 12), p.current, p.total),
    });
    for (const line of loadLines(result)) out.line(line);
  } catch (e) {
    if (req.readableAborted || res.destroyed) return void res.destroy(); // the client left: nobody to tell
    out.error((e as Error).message);
  }
  out.end();
}

/**
 * `POST /images/create`: `docker import` (fromSrc) makes an image of the body; `docker pull`
 * (fromImage) is refused, as boxlab reaches no registry and sends nothing off the machine. moby
 * writes the JSON stream only at the end, so every error is the response's status and message.
 */
async function create(images: ImagesBackend, req: ApiRequest, res: ServerResponse): Promise<void> {
  const q = req.query;
  const fromImage = q.get('fromImage') ?? '';
  if (fromImage) {
    const ref = parseReference(q.get('tag') ? `${fromImage}:${q.get('tag')}` : fromImage);
    const registry = ref.domain === 'docker.io' ? 'registry-1.docker.io' : ref.domain;
    throw new UnclassifiedError(`Get "https://${registry}/v2/": boxlab daemon pulls from no registry (nothing leaves this machine): bring ${familiarString(ref)} with docker load`);
  }
  let id: Digest;
  try {
    id = await images.importImage(req, {
      src: q.get('fromSrc') ?? '',
      repo: q.get('repo') ?? '',
      tag: q.get('tag') ?? '',
      message: q.get('message') ?? '',
      changes: q.getAll('changes').filter(Boolean),
    });
  } catch (e) {
    // the client may still be sending: take the rest, so that it reads the answer, not a broken pipe
    if (!req.readableEnded) req.resume();
    throw e;
  }
  const out = new JsonMessageStream(res);
  out.status(id);
  out.end();
}

async function save(images: ImagesBackend, names: string[], res: ServerResponse): Promise<void> {
  for (const n of names) await resolveForSave(images, n);
  await streamTar(res, (out) => images.save(names, 'docker', out));
}

export function imageRoutes(images: ImagesBackend): Route[] {
  return [
    {
      method: 'GET',
      path: '/images/json',
      handler: async (req, res) => {
        const f = await listFilters(images, parseFilters(req.query.get('filters')));
        const listed = filterImages(await images.list(), f);
        writeJson(res, 200, listed.map((img) => imageSummaryJson(img, img.shownTags, { containers: -1, sharedSize: -1 })));
      },
    },
    {
      method: 'GET',
      path: '/images/*name/json',
      handler: async (req, res) => {
        const name = param(req, 'name');
        try {
          writeJson(res, 200, await images.inspect(name));
        } catch (e) {
          // moby's inspect wraps the lookup's error with the name it was given, keeping its kind
          if (e instanceof BoxlabError) throw new BoxlabError(e.code, `no such image: ${name}: ${e.message}`);
          throw e;
        }
      },
    },
    {
      method: 'GET',
      path: '/images/*name/history',
      handler: async (req, res) => {
        const name = param(req, 'name');
        const rows = await images.history(name);
        const { RepoTags } = await images.inspect(name);
        writeJson(
          res,
          200,
          rows.map((r, i) => ({
            Comment: r.comment,
            Created: unix(r.created),
            CreatedBy: r.createdBy,
            Id: r.id,
            Size: r.size,
            Tags: i === 0 && (RepoTags as string[]).length ? RepoTags : null,
          })),
        );
      },
    },
    {
      method: 'POST',
      path: '/images/*name/tag',
      handler: async (req, res) => {
        const id = await images.resolve(param(req, 'name'));
        await images.tag(id, tagTarget(req.query.get('repo') ?? '', req.query.get('tag') ?? ''));
        writeStatus(res, 201);
      },
    },
    {
      // moby's `{name:.*}` matches an empty name too, and says so
      method: 'DELETE',
      path: '/images/',
      handler: () => {
        throw new BoxlabError('InvalidArgument', 'image name cannot be blank');
      },
    },
    {
      method: 'DELETE',
      path: '/images/*name',
      handler: async (req, res) => {
        const items = await images.remove(param(req, 'name'), { force: boolValue(req.query, 'force') });
        writeJson(res, 200, items.map(deleteItem));
      },
    },
    { method: 'POST', path: '/images/load', handler: (req, res) => load(images, req, res) },
    { method: 'POST', path: '/images/create', handler: (req, res) => create(images, req, res) },
    { method: 'GET', path: '/images/get', handler: (req, res) => save(images, req.query.getAll('names'), res) },
    { method: 'GET', path: '/images/*name/get', handler: (req, res) => save(images, [param(req, 'name')], res) },
    {
      method: 'POST',
      path: '/images/prune',
      handler: async (req, res) => {
        const f = parseFilters(req.query.get('filters'));
        validateFilters(f, ['dangling', 'label', 'label!', 'until']);
        const dangling = filterBool(f, 'dangling');
        const r = await images.prune({ all: dangling === false, keep: pruneKeeps(f) });
        writeJson(res, 200, { ImagesDeleted: r.items.length ? r.items.map(deleteItem) : null, SpaceReclaimed: r.reclaimed });
      },
    },
  ];
}

/** The prune filters that spare an image: `until` (created after it), `label`, `label!`. */
function pruneKeeps(f: Filters): (img: ImageSummary) => boolean {
  const until = f.get('until')?.at(-1);
  const untilMs = until === undefined ? undefined : untilTime(until);
  const labels = f.get('label') ?? [];
  const notLabels = f.get('label!') ?? [];
  const has = (img: ImageSummary, l: string) => {
    const eq = l.indexOf('=');
    const key = eq < 0 ? l : l.slice(0, eq);
    return !!img.labels && key in img.labels && (eq < 0 || img.labels[key] === l.slice(eq + 1));
  };
  return (img) =>
    (untilMs !== undefined && Date.parse(img.created ?? '') >= untilMs) ||
    !labels.every((l) => has(img, l)) ||
    notLabels.some((l) => has(img, l));
}

/** A prune `until` as timetypes.GetTimestamp reads it: a Unix timestamp, a Go duration before now, or an RFC 3339 time. */
function untilTime(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  if (/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(v)) {
    let ms = 0;
    for (const [, n, , u] of v.matchAll(/(\d+(\.\d+)?)(h|ms|m|s)/g)) ms += Number(n) * units[u!]!;
    return Date.now() - ms;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new BoxlabError('InvalidArgument', `failed to parse value as time or duration: "${v}"`);
  return t;
}
