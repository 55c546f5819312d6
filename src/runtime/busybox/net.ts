/**
 * Networking applets over the process's network namespace as the model sees it (net.ts): `ip`,
 * `ping`, `nslookup` (busybox networking/ip.c, ping.c, nslookup.c; text measured in the engine's
 * containers, test/network/fixtures/transcripts/). Names resolve as glibc's resolver does for them:
 * an address literal, then /etc/hosts (first matching line), then the nameserver of
 * /etc/resolv.conf, which the model answers only when it is the embedded DNS (127.0.0.11) of a
 * user-defined network. No packet leaves and no real resolver is asked.
 */
import { Address4 } from 'ip-address';
import type { ExitCode } from '../program.js';
import { EMBEDDED_DNS_ADDRESS, type NetStack, type Reach } from '../net.js';
import { CAP_NET_RAW, hasCapability } from '../caps.js';
import { applet, getopt, readAll, rethrowKilled, type Ctx } from './common.js';

const LOOPBACK: Reach = { delivered: true, ttl: 64, by: 'lo' };

async function readText(c: Ctx, path: string): Promise<string> {
  try {
    const r = await c.fs.openRead(path);
    try {
      return (await readAll(r)).toString('utf8');
    } finally {
      r.close();
    }
  } catch (e) {
    rethrowKilled(e);
    return '';
  }
}

export function isIPv4(s: string): boolean {
  return Address4.isValid(s) && /^\d+\.\d+\.\d+\.\d+$/.test(s);
}

/** files then dns, as nsswitch.conf's "hosts: files dns": the IPv4 addresses of a name. */
export async function resolveHost(c: Ctx, name: string): Promise<string[]> {
  if (isIPv4(name)) return [name];
  const want = name.toLowerCase();
  for (const line of (await readText(c, '/etc/hosts')).split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (ip && isIPv4(ip) && names.some((n) => n.toLowerCase() === want)) return [ip];
  }
  const net = c.p.sys.net?.();
  if (!net || !(await nameservers(c)).includes(EMBEDDED_DNS_ADDRESS)) return [];
  return net.dns(want) ?? [];
}

/**
 * gethostbyname(name)->h_name: the first name of the /etc/hosts line that holds the name (Docker
 * writes "IP\tHOST.DOMAIN HOST" with --domainname), else the name itself when the DNS answers it.
 */
export async function canonicalHostName(c: Ctx, name: string): Promise<string | undefined> {
  const want = name.toLowerCase();
  for (const line of (await readText(c, '/etc/hosts')).split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (ip && isIPv4(ip) && names.some((n) => n.toLowerCase() === want)) return names[0];
  }
  return (await resolveHost(c, name)).length > 0 ? name : undefined;
}

async function nameservers(c: Ctx): Promise<string[]> {
  const out: string[] = [];
  for (const line of (await readText(c, '/etc/resolv.conf')).split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push(m[1] as string);
  }
  return out;
}

function reachOf(net: NetStack | undefined, ip: string): Reach {
  if (ip.startsWith('127.')) return LOOPBACK;
  if (!net) return { delivered: false, ttl: 0, by: 'no route', noRoute: true };
  return net.reach(ip);
}

/** A modelled round trip: a veth pair and a bridge cost about as much as loopback twice. */
function rttMs(r: Reach): number {
  return r === LOOPBACK ? 0.04 : 0.08;
}

export const ping = applet('ping', async (c): Promise<ExitCode> => {
  const a = await getopt(c, 'qc:W:w:i:s:t:4');
  if (!a) return 1;
  const host = a.args[0];
  if (host === undefined || a.args.length > 1) return c.usage();
  const count = a.opts.has('c') ? Number(a.opts.get('c')) : Infinity;
  const waitSec = a.opts.has('W') ? Number(a.opts.get('W')) : 10;
  const quiet = a.opts.has('q');
  // ping.c create_icmp_socket: the raw socket needs CAP_NET_RAW (`--cap-drop NET_RAW`: EPERM)
  if (c.p.cred.uid === 0 && !hasCapability(c.p.cred.capBnd, CAP_NET_RAW)) {
    await c.error('permission denied (are you root?)');
    return 1;
  }
  const ip = (await resolveHost(c, host))[0];
  if (ip === undefined) {
    await c.error(`bad address '${host}'`);
    return 1;
  }
  await c.out.write(`PING ${host} (${ip}): 56 data bytes\n`);
  await c.out.flush();
  const r = reachOf(c.p.sys.net?.(), ip);
  if (r.noRoute) {
    await c.error('sendto: Network is unreachable');
    return 1;
  }
  const times: number[] = [];
  let sent = 0;
  while (sent < count) {
    if (sent > 0) await c.p.sys.sleep(1000);
    if (r.delivered) {
      const t = rttMs(r);
      times.push(t);
      if (!quiet) {
        await c.out.write(`64 bytes from ${ip}: seq=${sent} ttl=${r.ttl} time=${t.toFixed(3)} ms\n`);
        await c.out.flush();
      }
    }
    sent++;
  }
  // busybox waits -W seconds for a reply that never came after the last probe
  if (times.length < sent) await c.p.sys.sleep(waitSec * 1000);
  const loss = Math.floor(((sent - times.length) * 100) / sent);
  let out = `\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${times.length} packets received, ${loss}% packet loss\n`;
  if (times.length > 0) {
    const min = Math.min(...times);
    const max = Math.max(...times);
    const avg = times.reduce((x, y) => x + y, 0) / times.length;
    out += `round-trip min/avg/max = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)} ms\n`;
  }
  await c.out.write(out);
  return times.length > 0 ? 0 : 1;
});

const IP_USAGE_OBJECTS: Record<string, 'addr' | 'route' | 'link'> = {
  a: 'addr', ad: 'addr', add: 'addr', addr: 'addr', addre: 'addr', addres: 'addr', address: 'addr',
  r: 'route', ro: 'route', rou: 'route', rout: 'route', route: 'route',
  l: 'link', li: 'link', lin: 'link', link: 'link',
};

/** `ip [-4|-6] [-o] addr|route|link [show|list]`. */
export const ip = applet('ip', async (c): Promise<ExitCode> => {
  const args = c.p.argv.slice(1);
  let family: 4 | 6 | undefined;
  let oneline = false;
  while (args[0]?.startsWith('-')) {
    const o = args.shift() as string;
    if (o === '-4') family = 4;
    else if (o === '-6') family = 6;
    else if (o === '-o' || o === '-oneline') oneline = true;
    else return c.usage();
  }
  const obj = IP_USAGE_OBJECTS[args[0] ?? 'addr'];
  const verb = args[1];
  if (!obj || (verb !== undefined && !['show', 'list', 'lst', 'sh', 'ls'].includes(verb))) return c.usage();
  const net = c.p.sys.net?.();
  if (!net) return 0;
  if (obj === 'addr') await c.out.write(net.ipAddr({ oneline, ...(family ? { family } : {}) }));
  else if (obj === 'route') await c.out.write(family === 6 ? '' : net.ipRoute());
  else await c.out.write(net.ipLink());
  return 0;
});

/** `nslookup NAME [SERVER]`: the A answer, then the (empty) AAAA answer, as busybox 1.35 prints them. */
export const nslookup = applet('nslookup', async (c): Promise<ExitCode> => {
  const a = await getopt(c, '');
  if (!a) return 1;
  const name = a.args[0];
  if (name === undefined || a.args.length > 2) return c.usage();
  const server = a.args[1] ?? (await nameservers(c))[0] ?? '127.0.0.1';
  let out = `Server:\t\t${server}\nAddress:\t${server}:53\n\n`;
  const net = c.p.sys.net?.();
  const embedded = server === EMBEDDED_DNS_ADDRESS && net !== undefined && net.hasEmbeddedDns();
  if (!embedded) {
    // nothing answers: no embedded DNS here (the default bridge), or a server boxlab never asks
    await c.out.write(';; connection timed out; no servers could be reached\n\n');
    await c.error(`write to '${server}': Connection refused`);
    return 1;
  }
  const addresses = net.dns(name.toLowerCase());
  if (!addresses || addresses.length === 0) {
    // the model answers no name it does not hold (a real server would be asked; boxlab asks none)
    await c.out.write(`${out}** server can't find ${name}: NXDOMAIN\n\n`);
    return 1;
  }
  out += `Non-authoritative answer:\n`;
  for (const addr of addresses) out += `Name:\t${name}\nAddress: ${addr}\n`;
  out += `\nNon-authoritative answer:\n\n`;
  await c.out.write(out);
  return 0;
});
