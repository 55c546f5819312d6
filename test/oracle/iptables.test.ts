/**
 * `boxlab iptables` against the real engine's `iptables-save`, live. The same docker CLI steps (two
 * user networks, an internal one, a container on each, two ports published on 127.0.0.1) run against
 * a private real dockerd WITH its bridge and iptables (under /tmp/boxlab-dockerd.lock, as every
 * bridge daemon of this project) and against `boxlab daemon`; then the real filter and nat tables,
 * cut down to what this dockerd wrote (Docker's chains and the built-in chains' rules that name its
 * bridges, subnets or chains), equal `boxlab iptables`, with each bridge name, subnet and container
 * address replaced by the network's or container's name on each side. Compared twice: with the
 * containers running, and with them stopped (the real ones by `docker stop`, boxlab's by stopping
 * its daemon, which stops them: `boxlab iptables` then reads the store alone). And `boxlab trace`'s
 * verdict for a ping between containers and to the host equals what a real ping in the real
 * containers gets (none of these packets can leave the machine).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { boxlab, MAIN } from '../cli/run.js';
import { itWithTool, needRoot, needTool } from '../support/tools.js';
import { withDockerdLock } from './daemon.js';

const TAR = path.join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const REQS = [needRoot(), needTool('dockerd', 'apt-get install docker.io'), needTool('docker', 'apt-get install docker.io'), needTool('iptables-save', 'apt-get install iptables')];

type Docker = (args: readonly string[]) => Promise<string>;

function dockerAt(host: string): Docker {
  const env = { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false' };
  return (args) =>
    new Promise((resolve, reject) =>
      execFile('docker', [...args], { env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 }, (err, out, stderr) =>
        err ? reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(out.trim()),
      ),
    );
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** What one side's docker CLI did, and the names each address and bridge stands for. */
interface Side {
  names: Map<string, string>;
  /** A container's address, and its gateway (the host, from it). */
  ips: Map<string, { ip: string; gateway: string }>;
}

/** Pings whose fate the rules decide: same bridge, across bridges, into and out of --internal, to the host. */
const PINGS = [['w1', 'w4'], ['w1', 'w2'], ['w2', 'w1'], ['w1', 'w3'], ['w3', 'w1'], ['w1', 'host'], ['w3', 'host']] as const;

/** The scenario, through one engine's docker CLI; returns bridge/subnet/address → name. */
async function scenario(docker: Docker, ports: readonly [number, number]): Promise<Side> {
  await docker(['load', '-q', '-i', TAR]);
  for (const args of [['n1'], ['n2'], ['--internal', 'in1']]) await docker(['network', 'create', ...args]);
  const run = (name: string, network: string, publish: string[]) =>
    docker(['run', '-d', '--pull', 'never', '--name', name, '--network', network, ...publish, 'dk-build:latest', 'sh', '-c', 'sleep 3600']);
  await run('w1', 'n1', ['-p', `127.0.0.1:${ports[0]}:80`]);
  await run('w2', 'n2', ['-p', `127.0.0.1:${ports[1]}:80`]);
  await run('w3', 'in1', []);
  await run('w4', 'n1', []);
  const names = new Map<string, string>();
  const ips = new Map<string, { ip: string; gateway: string }>();
  for (const n of ['n1', 'n2', 'in1']) {
    const [id, subnet] = (await docker(['network', 'inspect', '-f', '{{.Id}} {{(index .IPAM.Config 0).Subnet}}', n])).split(' ');
    names.set(`br-${(id as string).slice(0, 12)}`, `br-<${n}>`);
    names.set(subnet as string, `<${n} subnet>`);
  }
  for (const [c, n] of [['w1', 'n1'], ['w2', 'n2'], ['w3', 'in1'], ['w4', 'n1']] as const) {
    const [ip, gateway] = (await docker(['inspect', '-f', `{{.NetworkSettings.Networks.${n}.IPAddress}} {{.NetworkSettings.Networks.${n}.Gateway}}`, c])).split(' ');
    names.set(ip as string, `<${c}>`);
    ips.set(c, { ip: ip as string, gateway: gateway as string });
  }
  return { names, ips };
}

const BUILTIN = new Set(['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING']);

/**
 * The rules this engine wrote, named: Docker's own chains and the built-in chains' rules that jump to
 * them or name this engine's bridges or addresses; a rule naming another bridge (another daemon's,
 * or left over on the host) is not this engine's.
 */
function normalise(text: string, side: Side): string {
  const ours = (word: string) => side.names.has(word) || side.names.has(word.replace(/\/32$/, '')) || word === 'docker0' || word === '172.17.0.0/16';
  const keep = (line: string): boolean => {
    if (line.startsWith('*') || line === 'COMMIT') return true;
    if (line.startsWith(':')) return BUILTIN.has(line.slice(1).split(' ')[0] as string) || line.startsWith(':DOCKER');
    if (!line.startsWith('-A ')) return false;
    const words = line.split(' ');
    const ifaces = words.filter((w) => /^(br-[0-9a-f]{12}|docker0)$/.test(w));
    if (ifaces.some((w) => !ours(w))) return false;
    const chain = words[1] as string;
    return !BUILTIN.has(chain) || words.some((w) => w.startsWith('DOCKER') || ours(w));
  };
  const name = (w: string): string => side.names.get(w) ?? (side.names.has(w.replace(/\/32$/, '')) ? `${side.names.get(w.replace(/\/32$/, ''))}/32` : w);
  const to = (w: string): string => w.replace(/^([\d.]+)(:\d+)$/, (m, ip: string, port: string) => (side.names.has(ip) ? `${side.names.get(ip)}${port}` : m));
  return text
    .split('\n')
    .filter(keep)
    .map((l) => l.split(' ').map(name).map(to).join(' '))
    .join('\n');
}

function iptablesSave(): string {
  const t = (table: string) => spawnSync('iptables-save', ['-t', table], { encoding: 'utf8' }).stdout;
  return t('filter') + t('nat');
}

/** The real engine's tables with the containers running, then stopped; cleaned up and stopped after. */
async function realSide(ports: readonly [number, number]): Promise<{ running: string; stopped: string; pings: string[] }> {
  return withDockerdLock(async () => {
    const dir = fs.mkdtempSync('/tmp/bx-ipt-');
    const log = fs.openSync(path.join(dir, 'log'), 'a');
    const child = spawn('dockerd', ['--data-root', `${dir}/root`, '--exec-root', `${dir}/exec`, '-H', `unix://${dir}/d.sock`, '--pidfile', `${dir}/pid`], {
      detached: true,
      stdio: ['ignore', log, log],
      // containerd may write its stacks log to TMPDIR as it stops: into the dir removed below
      env: { ...process.env, TMPDIR: dir },
    });
    fs.closeSync(log);
    const docker = dockerAt(`unix://${dir}/d.sock`);
    try {
      for (let i = 0; i < 240 && !(await docker(['version']).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 250));
      const side = await scenario(docker, ports);
      const running = normalise(iptablesSave(), side);
      const pings: string[] = [];
      for (const [from, to] of PINGS) {
        const dst = to === 'host' ? side.ips.get(from)?.gateway : side.ips.get(to)?.ip;
        const ok = await docker(['exec', from, 'sh', '-c', `ping -c 1 -W 1 ${dst as string}`]).then(() => true, () => false);
        pings.push(`${from} → ${to}: ${ok ? 'reached' : 'not reached'}`);
      }
      await docker(['stop', '-t', '0', 'w1', 'w2', 'w3', 'w4']);
      return { running, stopped: normalise(iptablesSave(), side), pings };
    } finally {
      await docker(['rm', '-f', 'w1', 'w2', 'w3', 'w4']).catch(() => '');
      await docker(['network', 'prune', '-f']).catch(() => '');
      const gone = new Promise((r) => child.once('exit', r));
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      spawnSync('sh', ['-c', `awk '{print $5}' /proc/self/mountinfo | grep -F "${dir}/" | sort -r | xargs -r -n1 umount -l`]);
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    }
  });
}

async function startBoxlab(root: string, sock: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'daemon', '--root', root, '-H', `unix://${sock}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes(`API listen on ${sock}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`boxlab daemon exited ${code}: ${log}`)));
  });
  return child;
}

async function boxlabSide(ports: readonly [number, number]): Promise<{ running: string; stopped: string; pings: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-ipt-'));
  const root = path.join(dir, 'root');
  const sock = path.join(dir, 'd.sock');
  const child = await startBoxlab(root, sock);
  try {
    const side = await scenario(dockerAt(`unix://${sock}`), ports);
    const running = await boxlab(root, ['iptables']);
    expect(running.code).toBe(0);
    const pings: string[] = [];
    for (const [from, to] of PINGS) {
      const t = await boxlab(root, ['trace', from, to]);
      expect(t.stderr).toBe('');
      pings.push(`${from} → ${to}: ${t.code === 0 ? 'reached' : 'not reached'}`);
    }
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
    const stopped = await boxlab(root, ['iptables']);
    return { running: normalise(running.stdout, side), stopped: normalise(stopped.stdout, side), pings };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

itWithTool(
  REQS,
  "boxlab iptables equals the real engine's iptables-save for two user networks, an internal one and two published ports, running and stopped; boxlab trace's verdicts equal real pings",
  async () => {
    const first = await freePort();
    let second = await freePort();
    while (second === first) second = await freePort();
    const ports = [first, second] as const;
    const real = await realSide(ports);
    const ours = await boxlabSide(ports);
    expect(real.running).toContain(`--dport ${ports[1]} -j DNAT --to-destination <w2>:80`);
    expect(ours.running).toBe(real.running);
    expect(real.stopped).not.toContain('DNAT');
    expect(ours.stopped).toBe(real.stopped);
    expect(real.pings).toContain('w1 → w4: reached');
    expect(ours.pings).toEqual(real.pings);
  },
  240_000,
);
