import type { Command } from 'commander';
import type { Trace } from '../../engine/firewall-view.js';
import type { CliContext } from '../context.js';

const HELP = `
DEST is a running container (name or ID), \`host\` (the gateway of C's default route), or an IPv4
address (another container's, a gateway, or one outside the machine); DEST:PORT traces a TCP
connection's first packet (--udp: a UDP datagram), plain DEST a ping. Each hop is an interface, a
bridge, or a chain with the rule that matched there, the rules being those \`boxlab iptables\` prints.
Nothing is sent: the model's rules are evaluated.

  boxlab trace w1 w2          # on two networks: DOCKER-ISOLATION-STAGE-2 drops it
  boxlab trace w1 host:8080   # the host's address on w1's bridge, port 8080 (docker-proxy)
  boxlab trace w3 192.0.2.1   # from an --internal network: STAGE-1 drops it`;

/** Why a rule dropped it, in words. */
function why(by: string): string {
  if (by.startsWith('DOCKER-ISOLATION-STAGE-2')) return 'the source and destination are on different bridge networks, which Docker isolates from each other (connect the container to the other network to reach it)';
  if (by.startsWith('DOCKER-ISOLATION-STAGE-1')) return 'one side is an --internal network: nothing enters or leaves its subnet';
  if (/^FORWARD -i \S+ -o \S+ -j DROP/.test(by)) return 'inter-container traffic is off on this bridge (com.docker.network.bridge.enable_icc=false)';
  if (by.startsWith('no route')) return 'the container has no network interface but lo (--network none)';
  if (by.startsWith('no host answers ARP')) return 'no container holds that address on the bridge';
  if (by.startsWith('nothing listens')) return 'the packet reaches the host, but no published port listens there';
  return by;
}

export function formatTrace(t: Trace): string {
  const port = t.port === undefined ? 'ping' : `port ${t.port}`;
  const lines = [`${t.from.record.name.slice(1)} → ${t.what} (${t.dst}), ${port}`];
  const width = Math.max(...t.path.hops.map((h) => h.at.length));
  t.path.hops.forEach((h, i) => lines.push(`${String(i + 1).padStart(3)}  ${h.at.padEnd(width)}  ${h.note}`));
  const v = t.path.verdict;
  if (v === 'dropped') lines.push(`DROPPED: ${t.path.by}`, `  why: ${why(t.path.by)}`);
  else if (v === 'outbound') lines.push(`LEAVES the machine masqueraded (${t.path.by}); boxlab sends nothing off the machine`);
  else if (v === 'host') lines.push(`DELIVERED to the host (${t.path.by})`);
  else lines.push(`DELIVERED to ${t.path.endpoint?.name ?? t.what} (${t.path.by})`);
  return lines.join('\n') + '\n';
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('trace')
    .argument('<container>', 'the sending container (name or ID)')
    .argument('<dest>', 'DEST[:PORT]: a container, host, or an IPv4 address')
    .option('--udp', 'a UDP datagram to PORT, not a TCP connection')
    .option('--json', 'print the path as JSON')
    .description("a packet's path hop by hop from a container through the model's bridges and iptables chains, and where and why it is dropped")
    .addHelpText('after', HELP)
    .action(async (container: string, dest: string, opts: { udp?: boolean; json?: boolean }) => {
      const { firewallView, traceFrom } = await import('../../engine/firewall-view.js');
      const t = traceFrom(firewallView(await ctx.engine()), container, { dest, ...(opts.udp ? { proto: 'udp' as const } : {}) });
      if (opts.json) {
        const { endpoint, ...path } = t.path;
        ctx.out.write(JSON.stringify({ from: t.from.record.name.slice(1), dst: t.dst, what: t.what, port: t.port, ...path, to: endpoint?.name }, null, 2) + '\n');
      } else ctx.out.write(formatTrace(t));
      if (t.path.verdict === 'dropped') process.exitCode = 1;
    });
}
