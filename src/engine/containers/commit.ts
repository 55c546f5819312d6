/**
 * `docker commit`: the container's upper layer becomes one new layer on its image's, and a new image
 * whose config is the container's (with `--change` instructions applied), its history the image's
 * plus one entry for the container's command, as moby's daemon/commit.go builds it. The store adds
 * the layer and the image all or nothing (store/commit.ts).
 */
import { Readable } from 'node:stream';
import { BoxlabError } from '../../errors.js';
import type { Digest } from '../../digest.js';
import type { HistoryEntry, ImageConfig } from '../../oci/types.js';
import { normalizeTag } from '../../oci/reference.js';
import type { Store } from '../../store/store.js';
import type { ImageService } from '../images.js';
import type { ContainerConfig } from './config.js';
import type { ContainerRecord } from './record.js';
import { goTime } from './record.js';

export interface CommitRequest {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Dockerfile instructions (`ENV A=1`, `CMD ["x"]`), one per `--change`. */
  changes?: string[];
  /** Config fields the client sends in the body, applied over the container's. */
  config?: Partial<ContainerConfig>;
}

/** A Dockerfile instruction's JSON or shell form, as the builder reads it. */
function commandForm(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    } catch {
      /* not JSON: the shell form */
    }
  }
  return ['/bin/sh', '-c', t];
}

/** Go's time.ParseDuration for the units a healthcheck flag uses, in nanoseconds. */
function goDurationNs(v: string, flag: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const parts = [...v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
  if (v === '0') return 0;
  if (!parts.length || parts.map((p) => p[0]).join('') !== v) throw new BoxlabError('InvalidArgument', `time: invalid duration "${v}" for ${flag}`);
  return Math.round(parts.reduce((ns, p) => ns + Number(p[1]) * units[p[2]!]!, 0));
}

/** HEALTHCHECK NONE | [--interval= --timeout= --start-period= --retries=] CMD command (moby parseHealthcheck). */
function healthcheck(rest: string): Record<string, unknown> {
  const words = rest.trim().split(/\s+/);
  if (words[0]?.toUpperCase() === 'NONE') {
    if (words.length > 1) throw new BoxlabError('InvalidArgument', 'HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  const hc: Record<string, unknown> = {};
  const fields: Record<string, string> = { '--interval': 'Interval', '--timeout': 'Timeout', '--start-period': 'StartPeriod', '--retries': 'Retries' };
  let i = 0;
  for (; words[i]?.startsWith('--'); i++) {
    const [flag, value = ''] = words[i]!.split('=', 2) as [string, string?];
    const field = fields[flag];
    if (!field) throw new BoxlabError('InvalidArgument', `Unknown flag: ${flag.slice(2)}`);
    hc[field] = field === 'Retries' ? Number(value) : goDurationNs(value, flag);
  }
  if (words[i]?.toUpperCase() !== 'CMD') throw new BoxlabError('InvalidArgument', `Unknown type "${words[i]?.toUpperCase() ?? ''}" in HEALTHCHECK (try CMD)`);
  const cmd = rest.trim().slice(rest.trim().toUpperCase().indexOf('CMD') + 3);
  const form = commandForm(cmd);
  const test = form[0] === '/bin/sh' && form[1] === '-c' && !cmd.trim().startsWith('[') ? ['CMD-SHELL', cmd.trim()] : ['CMD', ...form];
  // container.HealthConfig's field order; zero values are omitted
  const out: Record<string, unknown> = { Test: test };
  for (const f of ['Interval', 'Timeout', 'StartPeriod', 'Retries']) if (hc[f]) out[f] = hc[f];
  return out;
}

/** moby's commit --change: the instructions a commit accepts, applied to the config. */
export function applyChanges(config: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const c: ContainerConfig = { ...config, Env: [...config.Env], Labels: { ...config.Labels } };
  for (const change of changes) {
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(change);
    if (!m) throw new BoxlabError('InvalidArgument', `dockerfile parse error: unknown instruction: ${change.trim().toUpperCase()}`);
    const [, word, rest] = m as unknown as [string, string, string];
    switch (word.toUpperCase()) {
      case 'ENV': {
        const pairs = rest.includes('=') ? rest.trim().split(/\s+/).map((p) => p.split('=', 2) as [string, string]) : [[rest.trim().split(/\s+/)[0]!, rest.trim().split(/\s+/).slice(1).join(' ')] as [string, string]];
        for (const [k, v] of pairs) {
          const i = c.Env.findIndex((e) => e.split('=', 1)[0] === k);
          if (i >= 0) c.Env[i] = `${k}=${v ?? ''}`;
          else c.Env.push(`${k}=${v ?? ''}`);
        }
        break;
      }
      case 'CMD':
        c.Cmd = commandForm(rest);
        break;
      case 'ENTRYPOINT':
        c.Entrypoint = commandForm(rest);
        break;
      case 'WORKDIR':
        c.WorkingDir = rest.trim();
        break;
      case 'USER':
        c.User = rest.trim();
        break;
      case 'ONBUILD':
        // the trigger as written (moby instructions parseOnBuild), kept for a later FROM of this image
        c.OnBuild = [...(c.OnBuild ?? []), rest.trim()];
        break;
      case 'HEALTHCHECK':
        c.Healthcheck = healthcheck(rest);
        break;
      case 'EXPOSE':
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of rest.trim().split(/\s+/)) c.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        break;
      case 'VOLUME':
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const v of commandForm(rest)[0] === '/bin/sh' ? rest.trim().split(/\s+/) : commandForm(rest)) c.Volumes[v] = {};
        break;
      case 'LABEL':
        for (const p of rest.trim().split(/\s+/)) {
          const [k, v = ''] = p.split('=', 2) as [string, string?];
          c.Labels[k] = v.replace(/^"|"$/g, '');
        }
        break;
      default:
        // builder/dockerfile validCommitCommands; BuildFromConfig names the word lowercased
        throw new BoxlabError('InvalidArgument', `${word.toLowerCase()} is not a valid change command`);
    }
  }
  return c;
}

/** Makes the image; returns its ID. */
export async function commitContainer(
  store: Store,
  images: ImageService,
  c: ContainerRecord,
  upper: Readable,
  req: CommitRequest,
  now = Date.now(),
): Promise<Digest> {
  const { record, config: image } = await images.imageRecord(c.image);
  const config = applyChanges({ ...c.config, ...(req.config ?? {}) }, req.changes ?? []);
  const tag = req.repo ? normalizeTag(req.tag ? `${req.repo}:${req.tag}` : req.repo) : undefined;
  const created = goTime(now);
  const history: HistoryEntry[] = [
    ...(image.history ?? []),
    { created, ...(req.author ? { author: req.author } : {}), created_by: [c.path, ...c.args].join(' '), ...(req.comment ? { comment: req.comment } : {}) },
  ];
  const res = await store.commit({
    layer: upper,
    parent: record.chainIds.at(-1) ?? null,
    tag,
    config: ({ diffIds }) => {
      const out: ImageConfig & Record<string, unknown> = {
        architecture: image.architecture,
        ...(req.author ? { author: req.author } : {}),
        config: config as unknown as ImageConfig['config'],
        container: c.id,
        container_config: c.config as unknown as ImageConfig['config'],
        created,
        docker_version: '20.10.24+dfsg1',
        history,
        os: image.os,
        rootfs: { type: 'layers', diff_ids: diffIds },
      };
      return Buffer.from(JSON.stringify(out));
    },
  });
  return res.id;
}
