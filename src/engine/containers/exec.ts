/**
 * `docker exec`: an exec instance is made (`POST /containers/{id}/exec`), started once (`POST
 * /exec/{id}/start`, its output streamed to the client) and inspected for its exit code, as moby's
 * daemon/exec.go keeps them. A program that cannot start is reported in the output stream, in runc's
 * words, with exit code 126, as the engine here does.
 */
import { randomBytes } from 'node:crypto';
import { BoxlabError } from '../../errors.js';
import type { StdStream } from './logs.js';
import type { ContainerService } from './service.js';
import { runcExecMessage } from './service.js';
import { TaskStartError, type ExecTask } from './task.js';
import { UserLookupError } from './user.js';

export interface ExecCreate {
  Cmd?: string[];
  Env?: string[] | null;
  User?: string;
  WorkingDir?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Privileged?: boolean;
  DetachKeys?: string;
}

interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecCreate;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  /** The running process, for /resize. */
  task?: ExecTask;
}

export class ExecService {
  private readonly execs = new Map<string, ExecInstance>();

  constructor(private readonly containers: ContainerService) {}

  create(ref: string, config: ExecCreate): string {
    const c = this.containers.get(ref);
    if (!config.Cmd || config.Cmd.length === 0) throw new BoxlabError('InvalidArgument', 'No exec command specified');
    if (!c.state.Running) throw new BoxlabError('FailedPrecondition', `Container ${c.id} is not running`);
    // moby names the container as the client did here
    if (c.state.Paused) throw new BoxlabError('FailedPrecondition', `Container ${ref} is paused, unpause the container before exec`);
    if (c.state.Restarting) throw new BoxlabError('FailedPrecondition', `Container ${c.id} is restarting, wait until the container is running`);
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, { id, containerId: c.id, config, running: false, started: false, exitCode: null, pid: 0 });
    return id;
  }

  /** Exec instances of a container (inspect's ExecIDs). */
  idsOf(containerId: string): string[] {
    return [...this.execs.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
  }

  private get(id: string): ExecInstance {
    const e = this.execs.get(id);
    if (!e) throw new BoxlabError('NotFound', `No such exec instance: ${id}`);
    return e;
  }

  /** Runs the exec; `output` gets what it writes; resolves with its exit code when it ends. */
  async start(id: string, output: (stream: StdStream, data: Uint8Array) => void, stdin?: AsyncIterable<Uint8Array>): Promise<number> {
    const e = this.get(id);
    if (e.started) throw new BoxlabError('FailedPrecondition', `Error: Exec command ${id} has already run`);
    const c = this.containers.get(e.containerId);
    const task = this.containers.task(c.id);
    if (!task) throw new BoxlabError('FailedPrecondition', `Container ${c.id} is not running`);
    e.started = true;
    e.running = true;
    try {
      const p = await task.exec(
        {
          argv: e.config.Cmd!,
          // the container's variables, then the exec's replacing them in place or appended (moby
          // ContainerExecCreate: ReplaceOrAppendEnvValues; the runtime lets later entries win in place)
          env: [...c.config.Env, ...(e.config.Env ?? [])],
          user: e.config.User || c.config.User,
          workingDir: e.config.WorkingDir || c.config.WorkingDir || '/',
          tty: !!e.config.Tty,
        },
        { output, ...(stdin ? { stdin } : {}) },
      );
      e.pid = p.pid;
      e.task = p;
      const exit = await p.exited;
      e.exitCode = exit.code;
    } catch (err) {
      // the daemon writes why the exec could not start into the hijacked stream and records 126
      // (moby api/server/router/container/exec.go, daemon/exec.go): runc's words for a program,
      // its own for a user the container does not have
      if (err instanceof TaskStartError) output('stdout', Buffer.from(`${runcExecMessage(err)}\r\n`));
      else if (err instanceof UserLookupError) output('stdout', Buffer.from(`${err.message}\r\n`));
      else throw err;
      e.exitCode = 126;
    } finally {
      e.running = false;
      e.pid = 0;
      e.task = undefined;
    }
    return e.exitCode!;
  }

  /** `POST /exec/{id}/resize`: the window size of its terminal, if it is running. */
  resize(id: string, rows: number, cols: number): void {
    this.get(id).task?.resize?.(rows, cols);
  }

  /** `GET /exec/{id}/json`, in the engine's shape and key order. */
  inspect(id: string): Record<string, unknown> {
    const e = this.get(id);
    const [entrypoint = '', ...args] = e.config.Cmd ?? [];
    return {
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: { tty: !!e.config.Tty, entrypoint, arguments: args, privileged: !!e.config.Privileged, ...(e.config.User ? { user: e.config.User } : {}) },
      OpenStdin: !!e.config.AttachStdin,
      OpenStderr: !!e.config.AttachStderr,
      OpenStdout: !!e.config.AttachStdout,
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: e.config.DetachKeys ?? '',
      Pid: e.pid,
    };
  }
}
