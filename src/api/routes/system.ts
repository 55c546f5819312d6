/**
 * The system router (moby api/server/router/system): `/_ping`, `/version`, `/info`, `/events` and
 * `/system/df`. The daemon's identity is boxlab's own (Platform.Name "boxlab", its version), speaking
 * Engine 20.10's API; the fields are those Engine 20.10 sends, with boxlab's values.
 */
import type { ServerResponse } from 'node:http';
import * as os from 'node:os';
import { readFileSync } from 'node:fs';
import type { VolumeService } from '../../engine/volumes.js';
import type { EventBus } from '../../engine/events.js';
import { eventMatcher } from '../../engine/event-filter.js';
import { imageDiskUsage } from '../../engine/image-query.js';
import type { ImageService } from '../../engine/images.js';
import { BoxlabError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { UnclassifiedError } from '../errors.js';
import { parseFilters, writeJson, type ApiRequest } from '../http.js';
import type { Route } from '../route.js';
import { streamEvents } from '../streams.js';
import { API_VERSION, MIN_API_VERSION } from '../version.js';
import { imageSummaryJson } from './images.js';

export interface SystemBackend {
  images: Pick<ImageService, 'list'>;
  events: EventBus;
  /** Volumes for `system df` (with their reference counts and sizes), when the engine has them. */
  volumes?: Pick<VolumeService, 'list' | 'json' | 'usersOf' | 'store'>;
  /** The store's root, shown as DockerRootDir. */
  root: string;
  /** A stable ID for this daemon (Docker's is a key fingerprint). */
  id: string;
  debug: boolean;
  /** Aborted when the daemon stops: event streams end then. */
  signal?: AbortSignal;
  /** The cgroup layout containers get (`boxlab daemon --cgroup-version`); 1 when not said. */
  cgroupVersion?: () => 1 | 2;
}

/** Go's GOARCH for this machine (what `docker version` shows as Arch). */
export function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

function osRelease(): { name: string; version: string } {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const get = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? '';
    return { name: get('PRETTY_NAME') || 'Linux', version: get('VERSION_ID') };
  } catch {
    return { name: 'Linux', version: '' };
  }
}

/** `/_ping`: "OK" (none for HEAD), with the headers a client negotiates from. */
function ping(req: ApiRequest, res: ServerResponse): void {
  const body = req.method === 'HEAD' ? '' : 'OK';
  res.writeHead(200, {
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    // boxlab's builder (when it comes) is the classic one: "1" tells the CLI so, instead of BuildKit
    'Builder-Version': '1',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function version(): Record<string, unknown> {
  const details = {
    ApiVersion: API_VERSION,
    Arch: goArch(),
    BuildTime: '',
    Experimental: 'false',
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    KernelVersion: os.release(),
    MinAPIVersion: MIN_API_VERSION,
    Os: 'linux',
  };
  return {
    Platform: { Name: 'boxlab' },
    Components: [{ Name: 'Engine', Version: VERSION, Details: details }],
    Version: VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: details.GoVersion,
    Os: 'linux',
    Arch: goArch(),
    KernelVersion: os.release(),
    BuildTime: '',
  };
}

async function info(b: SystemBackend): Promise<Record<string, unknown>> {
  const rel = osRelease();
  return {
    ID: b.id,
    Containers: 0,
    ContainersRunning: 0,
    ContainersPaused: 0,
    ContainersStopped: 0,
    Images: (await b.images.list()).length,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', 'boxlab store'], ['Supports d_type', 'true'], ['Native Overlay Diff', 'true']],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: b.debug,
    NFd: 0,
    OomKillDisable: true,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: String(b.cgroupVersion?.() ?? 1),
    NEventsListener: 0,
    KernelVersion: os.release(),
    OperatingSystem: rel.name,
    OSVersion: rel.version,
    OSType: 'linux',
    Architecture: os.machine(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: null,
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    GenericResources: null,
    DockerRootDir: b.root,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: VERSION,
    Runtimes: { boxlab: { path: 'boxlab' } },
    DefaultRuntime: 'boxlab',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: '',
    ContainerdCommit: { ID: '', Expected: '' },
    RuncCommit: { ID: '', Expected: '' },
    InitCommit: { ID: '', Expected: '' },
    SecurityOptions: [],
    Warnings: null,
  };
}

/** timetypes.ParseTimestamps: `seconds[.nanoseconds]`, as clients send since/until. */
function timestamp(v: string | null): bigint | undefined {
  if (v === null || v === '') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(v);
  if (!m) throw new UnclassifiedError(`strconv.ParseInt: parsing "${v.split('.')[0]}": invalid syntax`);
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '0').padEnd(9, '0'));
}

function events(b: SystemBackend, req: ApiRequest, res: ServerResponse): void {
  const since = timestamp(req.query.get('since'));
  const until = timestamp(req.query.get('until'));
  if (since !== undefined && until !== undefined && since > until)
    throw new BoxlabError('InvalidArgument', `\`since\` time (${req.query.get('since')}) cannot be after \`until\` time (${req.query.get('until')})`);
  const match = eventMatcher(parseFilters(req.query.get('filters')));
  streamEvents(res, b.events, { ...(b.signal ? { signal: b.signal } : {}), ...(since !== undefined ? { sinceNano: since } : {}), ...(until !== undefined ? { untilNano: until } : {}), match });
}

async function df(b: SystemBackend): Promise<Record<string, unknown>> {
  const list = await b.images.list();
  const usage = imageDiskUsage(list);
  return {
    LayersSize: usage.layersSize,
    Images: list.map((img) => imageSummaryJson(img, img.tags, { containers: 0, sharedSize: usage.shared.get(img.id) ?? 0 })),
    Containers: [],
    Volumes: (b.volumes?.list() ?? []).map((v) => ({ ...b.volumes!.json(v), UsageData: { RefCount: b.volumes!.usersOf(v.name).length, Size: b.volumes!.store.size(v.name) } })),
    BuildCache: null,
    BuilderSize: 0,
  };
}

export function systemRoutes(b: SystemBackend): Route[] {
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
    { method: 'GET', path: '/version', handler: (_req, res) => writeJson(res, 200, version()) },
    { method: 'GET', path: '/info', handler: async (_req, res) => writeJson(res, 200, await info(b)) },
    { method: 'GET', path: '/events', handler: (req, res) => events(b, req, res) },
    { method: 'GET', path: '/system/df', handler: async (_req, res) => writeJson(res, 200, await df(b)) },
  ];
}
