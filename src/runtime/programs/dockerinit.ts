/**
 * docker-init (tini, as moby ships it for `docker run --init`, bound at /sbin/docker-init): PID 1
 * that runs `docker-init -- CMD ARGS...` as its child, forwards every signal it may catch to that
 * child, reaps whatever zombie is re-parented to it, and exits as the child did (128 + signal when
 * a signal ended it). Source: krallin/tini src/tini.c (spawn, wait_and_forward_signal, reap_zombies;
 * the signals it leaves alone are the synchronous ones and SIGTTIN/SIGTTOU).
 */
import { SysError } from '../errno.js';
import { DEFAULT_PATH_ENV, statusCode, type Program, type ProcessContext } from '../program.js';
import { NSIG, SIGCHLD, SIGKILL, SIGSTOP, parseSignal } from '../signals.js';

/** tini's parent_sigset leaves these unblocked: they are not forwarded. */
const NOT_FORWARDED = ['FPE', 'ILL', 'SEGV', 'BUS', 'ABRT', 'TRAP', 'SYS', 'TTIN', 'TTOU'].map((n) => parseSignal(n));

/** execvp's search of $PATH (tini execs its child with execvp). */
async function lookPath(p: ProcessContext, name: string): Promise<string | null> {
  if (name.includes('/')) return name;
  for (const dir of (p.env.get('PATH') ?? DEFAULT_PATH_ENV).split(':')) {
    const full = `${dir || '.'}/${name}`;
    try {
      const st = await p.fs.stat(full);
      if (st.type === 'file' && (st.mode & 0o111) !== 0) return full;
    } catch {
      /* not here */
    }
  }
  return null;
}

export const dockerInit: Program = async (p) => {
  const argv = p.argv.slice(1);
  if (argv[0] === '--') argv.shift();
  const name = argv[0];
  if (name === undefined) {
    await p.stderr.write(`${p.argv[0]} (tini version 0.19.0)\nUsage: ${p.argv[0]} [OPTIONS] PROGRAM -- [ARGS]\n`);
    return 1;
  }
  for (let s = 1; s < NSIG; s++) if (s !== SIGKILL && s !== SIGSTOP && s !== SIGCHLD && !NOT_FORWARDED.includes(s)) p.sys.setDisposition(s, 'catch');
  const path = await lookPath(p, name);
  let child: number;
  try {
    if (path === null) {
      await p.stderr.write(`[FATAL tini (7)] exec ${name} failed: No such file or directory\n`);
      return 1;
    }
    child = await p.sys.spawn({ path, argv });
  } catch (e) {
    // tini.c spawn: the forked child whose execvp failed prints this and exits 1, and tini with it
    if (!(e instanceof SysError)) throw e;
    await p.stderr.write(`[FATAL tini (7)] exec ${name} failed: ${e.message.replace(/^.*: /, '')}\n`);
    return 1;
  }
  const forward = () => {
    for (const s of p.sys.takeSignals()) {
      try {
        p.sys.kill(child, s);
      } catch {
        /* the child is gone: its exit is next */
      }
    }
  };
  for (;;) {
    // tini blocks the signals from its start: one that came while it looked up and spawned the
    // child (a `docker stop` right after the start) is pending, and goes to the child now
    forward();
    try {
      const got = await p.sys.wait(-1);
      if (got.pid === child) return statusCode(got.status);
    } catch (e) {
      if (!(e instanceof SysError) || e.errno !== 'EINTR') throw e;
      forward();
    }
  }
};
