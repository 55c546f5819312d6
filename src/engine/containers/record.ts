/**
 * What the engine keeps of a container (moby's container.Container, config.v2.json and
 * hostconfig.json on a real host): its identity, configuration, state and counters. Persisted in the
 * store's `containers` records; everything inspect and `docker ps` show is computed from it.
 */
import type { Digest } from '../../digest.js';
import type { ContainerConfig, HostConfig } from './config.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

/** A mount as inspect's `Mounts` lists it (moby types.MountPoint). */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
}

export interface ContainerRecord {
  id: string;
  /** With the leading slash, as inspect's Name. */
  name: string;
  created: string;
  /** The image ID the container was created from. */
  image: Digest;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: ContainerState;
  restartCount: number;
  /** Set by `docker stop`/`kill` so a restart policy does not bring it back (moby HasBeenManuallyStopped). */
  manuallyStopped: boolean;
  hasBeenStarted: boolean;
  mounts: MountPoint[];
  networks: Record<string, EndpointSettings>;
  /** Filled while running: the host PID of PID 1 and a sandbox ID for the network namespace. */
  sandboxId: string;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function initialState(): ContainerState {
  return {
    Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
    Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME,
  };
}

/** RFC 3339 with nanoseconds, as Go prints a time.Time in JSON (trailing zeros trimmed). */
export function goTime(ms: number, extraNanos = 0): string {
  const iso = new Date(ms).toISOString(); // 2026-11-28T21:21:47.722Z
  const nanos = String((ms % 1000) * 1_000_000 + extraNanos).padStart(9, '0').replace(/0+$/, '');
  return iso.slice(0, 19) + (nanos ? `.${nanos}` : '') + 'Z';
}
