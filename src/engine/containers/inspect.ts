/**
 * `docker inspect` of a container and its `docker ps` row, in the Engine API's shapes and key order
 * (moby api/types ContainerJSON and Container, measured on the 20.10 engine here). Paths are shown
 * as they would be under /var/lib/docker: boxlab renders the Docker layout as a view (DESIGN.md).
 */
import { createHash } from 'node:crypto';
import type { ContainerRecord } from './record.js';
import { inspectLinks } from '../links.js';

export const DOCKER_ROOT = '/var/lib/docker';

/** A stable overlay2 cache ID for a layer or a container's layer (Docker's are random). */
export function cacheId(of: string): string {
  return createHash('sha256').update(`boxlab-cache-id:${of}`).digest('hex');
}

/** HostConfig's keys in the order the engine writes them (moby api/types/container HostConfig). */
const HOST_CONFIG_ORDER = [
  'Binds', 'ContainerIDFile', 'LogConfig', 'NetworkMode', 'PortBindings', 'RestartPolicy', 'AutoRemove', 'VolumeDriver',
  'VolumesFrom', 'CapAdd', 'CapDrop', 'CgroupnsMode', 'Dns', 'DnsOptions', 'DnsSearch', 'ExtraHosts', 'GroupAdd', 'IpcMode',
  'Cgroup', 'Links', 'OomScoreAdj', 'PidMode', 'Privileged', 'PublishAllPorts', 'ReadonlyRootfs', 'SecurityOpt', 'StorageOpt',
  'Tmpfs', 'UTSMode', 'UsernsMode', 'ShmSize', 'Sysctls', 'Runtime', 'ConsoleSize', 'Isolation', 'CpuShares', 'Memory',
  'NanoCpus', 'CgroupParent', 'BlkioWeight', 'BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps',
  'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps', 'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod', 'CpuRealtimeRuntime',
  'CpusetCpus', 'CpusetMems', 'Devices', 'DeviceCgroupRules', 'DeviceRequests', 'KernelMemory', 'KernelMemoryTCP',
  'MemoryReservation', 'MemorySwap', 'MemorySwappiness', 'OomKillDisable', 'PidsLimit', 'Ulimits', 'CpuCount', 'CpuPercent',
  'IOMaximumIOps', 'IOMaximumBandwidth', 'Mounts', 'MaskedPaths', 'ReadonlyPaths', 'Init',
];
/** Keys the engine leaves out when empty (`omitempty` in moby's struct tags). */
const OMIT_EMPTY = new Set(['StorageOpt', 'Tmpfs', 'Sysctls', 'Mounts', 'Init']);

export function orderedHostConfig(h: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of HOST_CONFIG_ORDER) {
    const v = h[k];
    if (v === undefined) continue;
    if (OMIT_EMPTY.has(k) && (v === null || (typeof v === 'object' && Object.keys(v as object).length === 0))) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(h)) if (!(k in out) && !HOST_CONFIG_ORDER.includes(k) && v !== undefined) out[k] = v;
  return out;
}

export interface InspectContext {
  /** overlay2 diff directories of the image's layers, top first. */
  lowerDirs: string[];
  execIds: string[];
  ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
}

export function inspectContainer(c: ContainerRecord, ctx: InspectContext): Record<string, unknown> {
  const dir = `${DOCKER_ROOT}/containers/${c.id}`;
  const layer = `${DOCKER_ROOT}/overlay2/${cacheId(c.id)}`;
  const running = c.state.Running;
  const onBridge = c.networks.bridge;
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: c.state,
    Image: c.image,
    ResolvConfPath: `${dir}/resolv.conf`,
    HostnamePath: `${dir}/hostname`,
    HostsPath: `${dir}/hosts`,
    LogPath: `${dir}/${c.id}-json.log`,
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: ctx.execIds.length ? ctx.execIds : null,
    // the links the daemon's graph holds, not the request's (daemon/inspect.go)
    HostConfig: orderedHostConfig({ ...c.hostConfig, Links: inspectLinks(c) }),
    GraphDriver: {
      Data: {
        LowerDir: [`${layer}-init/diff`, ...ctx.lowerDirs].join(':'),
        MergedDir: `${layer}/merged`,
        UpperDir: `${layer}/diff`,
        WorkDir: `${layer}/work`,
      },
      Name: 'overlay2',
    },
    Mounts: c.mounts,
    Config: c.config,
    NetworkSettings: {
      Bridge: '',
      SandboxID: c.sandboxId,
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: running ? ctx.ports : {},
      SandboxKey: c.sandboxId ? `/var/run/docker/netns/${c.sandboxId.slice(0, 12)}` : '',
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      // the top-level fields describe the default bridge's endpoint only (moby: legacy fields)
      EndpointID: onBridge?.EndpointID ?? '',
      Gateway: onBridge?.Gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: onBridge?.IPAddress ?? '',
      IPPrefixLen: onBridge?.IPPrefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: onBridge?.MacAddress ?? '',
      Networks: c.networks,
    },
  };
}

/**
 * `docker ps`'s Command: the path, then the arguments, an argument holding a space wrapped in single
 * quotes with nothing escaped (moby daemon/list.go).
 */
export function commandString(c: ContainerRecord): string {
  const args = c.args.map((a) => (a.includes(' ') ? `'${a}'` : a));
  return args.length ? `${c.path} ${args.join(' ')}` : c.path;
}
