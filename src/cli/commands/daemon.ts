import type { Command } from 'commander';
import * as path from 'node:path';
import type { CliContext } from '../context.js';

interface DaemonFlags {
  host?: string[];
  root?: string;
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  debug?: boolean;
  cgroupVersion?: string;
  ip?: string;
}

/**
 * `boxlab daemon`: the Engine API on the hosts given with -H (dockerd's flags), a socket under the
 * store's root when none is. Ready once it prints `API listen on ...`; SIGTERM or SIGINT stops it
 * cleanly: requests in flight finish, the socket file goes.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('daemon')
    .description('Serve the Docker Engine API (v1.41) so that the docker CLI, dockerode and compose drive boxlab')
    .option('-H, --host <spec>', 'unix:///path or tcp://host:port (repeatable); default unix://<root>/docker.sock', (v: string, acc: string[] = []) => [...acc, v])
    .option('--root <dir>', 'the store directory (dockerd: --data-root)')
    .option('--tls', 'serve TLS with --tlscert and --tlskey (no client certificate asked)')
    .option('--tlsverify', 'serve TLS and accept only clients whose certificate --tlscacert signed')
    .option('--tlscacert <file>', 'the CA that signs client certificates', '')
    .option('--tlscert <file>', "the server's certificate", '')
    .option('--tlskey <file>', "the server's key", '')
    .option('-D, --debug', 'log every request')
    .option('--cgroup-version <1|2>', "the cgroup layout containers see: 1 (this host's: a hierarchy per controller) or 2 (unified)", '1')
    .option('--ip <address>', 'the default host IP a published port without one listens on (dockerd --ip)', '0.0.0.0')
    .action(async (flags: DaemonFlags) => {
      if (flags.root) program.setOptionValue('root', flags.root);
      const engine = await ctx.engine();
      if (flags.cgroupVersion !== '1' && flags.cgroupVersion !== '2') throw new Error(`--cgroup-version is 1 or 2, not ${flags.cgroupVersion}`);
      engine.runtime.cgroups.version = flags.cgroupVersion === '2' ? 2 : 1;
      engine.ports.defaultIp = flags.ip ?? '0.0.0.0';
      const { Daemon } = await import('../../api/daemon.js');
      const { parseHost } = await import('../../api/listen.js');
      const useTls = !!(flags.tls || flags.tlsverify);
      if (useTls && (!flags.tlscert || !flags.tlskey || (flags.tlsverify && !flags.tlscacert)))
        throw new Error('--tlsverify needs --tlscacert, --tlscert and --tlskey (--tls needs --tlscert and --tlskey)');
      const specs = flags.host?.length ? flags.host : [`unix://${path.join(engine.store.root, 'docker.sock')}`];
      const daemon = await Daemon.start(engine, {
        hosts: specs.map((s) => parseHost(s, useTls)),
        ...(useTls ? { tls: { ca: flags.tlscacert ?? '', cert: flags.tlscert!, key: flags.tlskey! } } : {}),
        tlsVerify: !!flags.tlsverify,
        debug: !!flags.debug,
        log: (l) => ctx.err.write(`${l}\n`),
      });
      await new Promise<void>((resolve) => {
        const onSignal = (sig: NodeJS.Signals) => {
          ctx.err.write(`Processing signal '${sig}'\n`);
          void daemon.stop().then(() => engine.close()).then(resolve);
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      });
      // the model's running containers hold timers (a `sleep 3600`): they end with the daemon, as the
      // engine's records already assume at the next start (a container left running is exited)
      process.exit(process.exitCode ?? 0);
    });
}
