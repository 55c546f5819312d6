import type { Engine } from '../engine/engine.js';

/** What every command gets: the engine for the chosen root, opened on first use. */
export interface CliContext {
  engine(): Promise<Engine>;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}
