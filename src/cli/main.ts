#!/usr/bin/env node
import { Command } from 'commander';
import type { CliContext } from './context.js';
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
import { register as daemon } from './commands/daemon.js';
import { register as tls } from './commands/tls.js';
import { VERSION } from '../version.js';

const program = new Command('boxlab')
  .description('A model of a container engine: image store, layers and overlay, with Docker as the oracle')
  .version(VERSION, '-v, --version')
  .option('--root <dir>', 'the store directory (default: $BOXLAB_ROOT or ~/.local/share/boxlab)')
  .showHelpAfterError();

let engine: Promise<import('../engine/engine.js').Engine> | undefined;
const ctx: CliContext = {
  engine() {
    // loaded on first use, so `boxlab --version` and `--help` start as fast as node itself
    engine ??= import('../engine/engine.js').then(({ Engine }) => Engine.open({ root: program.opts<{ root?: string }>().root }));
    return engine;
  },
  out: process.stdout,
  err: process.stderr,
};
for (const r of [load, images, history, inspect, layers, exportCmd, save, rmi, system, lookup, daemon, tls]) r(program, ctx);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error & { code?: string; member?: string };
  process.stderr.write(`Error: ${e.message}\n`);
  if (process.env.BOXLAB_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
});
