#!/usr/bin/env node
import type { CliContext } from './context.js';
import { DockerCommand, normalizeBoolFlags } from './command.js';
import { register as load } from './commands/load.js';
import { register as images } from './commands/images.js';
import { register as history } from './commands/history.js';
import { register as inspect } from './commands/inspect.js';
import { register as layers } from './commands/layers.js';
import { register as exportCmd } from './commands/export.js';
import { register as save } from './commands/save.js';
import { register as rmi } from './commands/rmi.js';
import { register as system } from './commands/system.js';
import { register as lookup } from './commands/lookup.js';
import { register as tag } from './commands/tag.js';
import { register as imageGroup } from './commands/image.js';
import { register as notYet } from './commands/not-yet.js';
import { register as daemon } from './commands/daemon.js';
import { register as tls } from './commands/tls.js';
import { register as tree } from './commands/tree.js';
import { register as iptables } from './commands/iptables.js';
import { register as trace } from './commands/trace.js';
import { errorMessage, isBrokenPipe } from './errors.js';
import { VERSION } from '../version.js';

const program = new DockerCommand('boxlab')
  .description('A model of a container engine: image store, layers and overlay, with Docker as the oracle')
  .version(VERSION, '-v, --version', 'print the version and exit')
  .helpOption('-h, --help', 'print this help, or a command\'s')
  .option('--root <dir>', 'the store directory (default: $BOXLAB_ROOT or ~/.local/share/boxlab)')
  // global flags come before the command, as docker's do: `load -v` is not `--version`
  .enablePositionalOptions();

let engine: Promise<import('../engine/engine.js').Engine> | undefined;
const ctx: CliContext = {
  engine() {
    // loaded on first use, so `boxlab --version` and `--help` start as fast as node itself
    engine ??= import('../engine/engine.js').then(({ Engine }) => Engine.open({ root: program.opts<{ root?: string }>().root }));
    return engine;
  },
  in: process.stdin,
  out: process.stdout,
  err: process.stderr,
};
for (const r of [load, images, history, inspect, layers, exportCmd, save, rmi, tag, system, lookup, tree, iptables, trace, imageGroup, daemon, tls, notYet]) r(program, ctx);

// a reader that closed the pipe (`boxlab export IMG | head -c100`) is not an error, as with docker
process.stdout.on('error', (err) => {
  if (!isBrokenPipe(err)) throw err;
  process.exit(process.exitCode ?? 0);
});

const argv = process.argv.slice(2);
// global flags alone name no command: `docker` and `docker --config x` print the help and exit 0
const globalsOnly = (a: string[]): boolean => a.length === 0 || (a[0] === '--root' ? globalsOnly(a.slice(2)) : !!a[0]?.startsWith('--root=') && globalsOnly(a.slice(1)));
if (globalsOnly(argv)) {
  // `docker` alone prints its help and exits 0
  program.outputHelp();
} else {
  program.parseAsync(normalizeBoolFlags(program, argv), { from: 'user' }).catch((err: unknown) => {
    if (isBrokenPipe(err)) return;
    process.stderr.write(`Error: ${errorMessage(err)}\n`);
    if (process.env.BOXLAB_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
