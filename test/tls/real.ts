/**
 * The real things the TLS tests answer to: a private `dockerd --tlsverify` on a loopback TCP port
 * (test/oracle/daemon.ts starts and stops it; --bridge=none and no firewall rules, as every private
 * daemon here), and the real docker CLI run with a clean environment.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDockerd, type Daemon } from '../oracle/daemon.js';

export interface TlsDockerd extends Daemon {
  readonly port: number;
  /** tcp://127.0.0.1:PORT */
  readonly tcp: string;
}

/** A port free now on 127.0.0.1 (the kernel's choice for port 0; dockerd binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** dockerd --tlsverify with the CA, certificate and key of `certs` (the recipe's names) on 127.0.0.1. */
export async function startTlsDockerd(certs: string): Promise<TlsDockerd> {
  const port = await freePort();
  const tcp = `tcp://127.0.0.1:${port}`;
  const d = await startDockerd('/tmp', 60_000, [
    '--tlsverify',
    `--tlscacert=${join(certs, 'ca.pem')}`,
    `--tlscert=${join(certs, 'server-cert.pem')}`,
    `--tlskey=${join(certs, 'server-key.pem')}`,
    '-H', tcp,
  ]);
  return { ...d, port, tcp };
}

/**
 * The lines dockerd logs about TLS handshakes while `fn` runs: Go's net/http logs each refused one as
 * `http: TLS handshake error from ADDR: REASON`; REASON is returned, one per handshake.
 */
export async function handshakeErrors(d: Daemon, fn: () => Promise<unknown>): Promise<string[]> {
  const log = join(d.dir, 'dockerd.log');
  const size = () => readFileSync(log, 'utf8').length;
  const before = size();
  await fn();
  // Go logs a refusal as the handshake fails, which may be just after the client gave up: wait for
  // the log to stay quiet, so that no line lands in the next caller's window instead.
  for (let last = -1, now = size(); now !== last; last = now, now = size()) await new Promise((r) => setTimeout(r, 300));
  const added = readFileSync(log, 'utf8').slice(before);
  return [...added.matchAll(/http: TLS handshake error from [^ ]+: (.*)$/gm)].map((m) => m[1] ?? '');
}

/**
 * What the docker CLI (28.x, Go) prints to stderr for `docker -H tcp://127.0.0.1:PORT version` when the
 * daemon refuses its certificate (or its lack of one): dockerd's alert is the same for every reason, and
 * so is the message (test/tls/FACTS.md). Go's HTTP transport sometimes meets the alert in its read loop,
 * hence the optional word.
 */
export const DOCKER_CLI_REFUSED =
  /^the server probably has client authentication \(--tlsverify\) enabled; check your TLS client certification settings: Get "https:\/\/127\.0\.0\.1:\d+\/v[\d.]+\/version": (readLoopPeekFailLocked: )?remote error: tls: bad certificate\n$/;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The docker CLI with only `env` set (and PATH): no DOCKER_HOST or DOCKER_TLS_VERIFY from outside, and
 * an empty DOCKER_CONFIG and HOME of its own, so no context, config or ~/.docker/*.pem plays a part.
 */
export function docker(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const config = mkdtempSync(join(tmpdir(), 'boxlab-docker-config-'));
  const clean = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: config, DOCKER_CONFIG: config, ...env };
  return run('docker', args, clean).finally(() => rmSync(config, { recursive: true, force: true }));
}

function run(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** `boxlab ARGS` through tsx; asynchronous, so that seconds of key making do not stall vitest's worker. */
export function boxlab(...args: string[]): Promise<CliResult> {
  return run(process.execPath, ['--import', 'tsx', MAIN, ...args]);
}

/** `docker --tlsverify --tlscacert ... -H tcp://... ARGS`, the first way Docker's page connects. */
export function dockerTls(d: { readonly tcp: string }, files: { ca: string; cert?: string; key?: string }, ...args: string[]): Promise<CliResult> {
  const flags = ['--tlsverify', `--tlscacert=${files.ca}`];
  if (files.cert) flags.push(`--tlscert=${files.cert}`);
  if (files.key) flags.push(`--tlskey=${files.key}`);
  return docker([...flags, '-H', d.tcp, ...args]);
}

/** `DOCKER_HOST=tcp://... DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=DIR docker ARGS`, the second way. */
export function dockerTlsEnv(d: { readonly tcp: string }, certPath: string, ...args: string[]): Promise<CliResult> {
  return docker(args, { DOCKER_HOST: d.tcp, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath });
}
