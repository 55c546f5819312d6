/**
 * The checks a create request passes before anything is made, in the order moby 20.10 runs them:
 * daemon/container.go verifyContainerSettings (validateContainerConfig, then validateHostConfig,
 * then the platform's resource checks shared with `docker update`), and daemon/create.go's
 * mergeAndVerifyLogConfig. Each error is the engine's own text (a 400, so the CLI does not pull).
 */
import { BoxlabError } from '../../errors.js';
import { parseSignal } from '../../runtime/signals.js';
import { capabilityNames } from './caps.js';
import type { ContainerConfig } from './config.js';
import { verifyUpdate, type UpdateRequest } from './update.js';

const bad = (msg: string) => new BoxlabError('InvalidArgument', msg);

/** The log drivers a stock 20.10 daemon on Linux registers (daemon/logdrivers_linux.go). */
const LOG_DRIVERS = ['none', 'json-file', 'local', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'gcplogs', 'logentries'];

/** validateContainerConfig: working directory, stop signal, environment. */
function verifyConfig(c: Partial<ContainerConfig>): void {
  // translateWorkingDir: an empty one is the image's; any other must be absolute
  if (c.WorkingDir && !c.WorkingDir.startsWith('/'))
    throw bad(`the working directory '${c.WorkingDir}' is invalid, it needs to be an absolute path`);
  // pkg/signal ParseSignal: a number other than 0, or a name with or without SIG
  if (c.StopSignal) {
    const n = /^\d+$/.test(c.StopSignal) ? Number(c.StopSignal) : parseSignal(c.StopSignal);
    if (!n) throw bad(`Invalid signal: ${c.StopSignal}`);
  }
  // opts.ValidateEnv: a variable needs a name (`=x` and `` are refused)
  for (const e of c.Env ?? []) if (e.split('=', 1)[0] === '') throw bad(`invalid environment variable: ${e}`);
}

/** caps.NormalizeLegacyCapabilities as validateCapabilities calls it: every name must be known. */
function verifyCaps(list: unknown, field: 'CapAdd' | 'CapDrop'): void {
  if (!Array.isArray(list)) return;
  const known = capabilityNames();
  for (const raw of list as string[]) {
    if (raw.toUpperCase() === 'ALL') continue;
    const name = raw.toUpperCase().startsWith('CAP_') ? raw.toUpperCase() : `CAP_${raw.toUpperCase()}`;
    if (!known.includes(name)) throw bad(`invalid ${field}: unknown capability: "${name}"`);
  }
}

/** logger.ValidateLogOpts: the driver must be registered (plugins are looked up, and none are here). */
function verifyLogDriver(h: Record<string, unknown>): void {
  const type = (h.LogConfig as { Type?: string } | undefined)?.Type;
  if (type && !LOG_DRIVERS.includes(type)) throw bad(`error looking up logging plugin ${type}: plugin "${type}" not found`);
}

/** All of a create's checks; returns the warnings the answer carries. */
export function verifyCreate(c: Partial<ContainerConfig>, h: Record<string, unknown> | undefined, ncpu: number): string[] {
  verifyConfig(c);
  if (!h) return [];
  const policy = h.RestartPolicy as { Name?: string } | undefined;
  if (h.AutoRemove === true && policy?.Name && policy.Name !== 'no') throw bad("can't create 'AutoRemove' container with restart policy");
  verifyCaps(h.CapAdd, 'CapAdd');
  verifyCaps(h.CapDrop, 'CapDrop');
  // verifyPlatformContainerResources and validateRestartPolicy, shared with `docker update`
  const r = { ...h } as UpdateRequest;
  const warnings = verifyUpdate(r, ncpu) ?? [];
  if (h.BlkioWeight !== undefined) h.BlkioWeight = r.BlkioWeight;
  verifyLogDriver(h);
  return warnings;
}

/** mergeAndVerifyConfig: `--entrypoint ""` ([""]) clears the image's entrypoint once merged. */
export function resetEmptyEntrypoint(c: ContainerConfig): void {
  if (c.Entrypoint?.length === 1 && c.Entrypoint[0] === '') c.Entrypoint = null;
}

/** daemon/logs.go: only drivers with a reader serve `docker logs` (json-file, local, journald). */
export function checkLogsReadable(h: Readonly<Record<string, unknown>>): void {
  const type = (h.LogConfig as { Type?: string } | undefined)?.Type ?? 'json-file';
  if (!['json-file', 'local', 'journald'].includes(type)) throw bad('configured logging driver does not support reading');
}
