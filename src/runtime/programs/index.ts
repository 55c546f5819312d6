/**
 * The programs the model runs, by name: the registry a Kernel takes. busybox's applets are added
 * here as they are written; `busybox APPLET ARGS` and a file named after an applet run them.
 */
import type { Program, ProgramRegistry } from '../program.js';
import { sh } from '../shell/index.js';
import { cat, echo, env, falseProgram, sleep, trueProgram } from './basic.js';
import { head, yes } from './head.js';
import { kill } from './kill.js';
import { ps } from './ps.js';
import { stty } from './stty.js';

/** busybox itself: `busybox APPLET ARGS...` runs the applet (argv shifted, as busybox's main does). */
function busybox(registry: ProgramRegistry): Program {
  return async (p) => {
    const name = p.argv[1];
    const applet = name === undefined ? undefined : registry.get(name);
    if (!applet || name === 'busybox') {
      await p.stderr.write(`${name ?? 'busybox'}: applet not found\n`);
      return 127;
    }
    return p.sys.exec({ applet: name!, argv: p.argv.slice(1) });
  };
}

/** A registry holding every program the model has; extend it with `set(name, program)`. */
export function busyboxPrograms(): ProgramRegistry {
  const r: ProgramRegistry = new Map<string, Program>([
    ['sh', sh],
    ['ash', sh],
    ['true', trueProgram],
    ['false', falseProgram],
    ['echo', echo],
    ['sleep', sleep],
    ['cat', cat],
    ['env', env],
    ['kill', kill],
    ['ps', ps],
    ['head', head],
    ['yes', yes],
    ['stty', stty],
  ]);
  r.set('busybox', busybox(r));
  return r;
}
