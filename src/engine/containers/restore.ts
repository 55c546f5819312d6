/**
 * What a daemon started on a root finds of the containers the previous one held, as moby 20.10's
 * daemon.restore() decides without live-restore. Measured on the engine here (docker.io 20.10,
 * dockerd killed with SIGKILL while `run -d ... sh -c 'sleep 3600'` ran under each policy, then
 * started again on the same root): every container that was running is stopped with SIGKILL by the
 * new daemon (exited 137, FinishedAt the restart); then `always` and `on-failure` ones run again
 * (RestartCount unchanged), `unless-stopped` and `no` ones stay exited. moby's killWithSignal marks
 * a container it kills outside shutdown as manually stopped, which is why unless-stopped stays down;
 * the restart itself is restartmanager's ShouldRestart at daemon start (daemon/daemon.go restore:
 * `daemon.configStore.AutoRestart && c.ShouldRestart()`), which also brings back an exited `always`
 * container that was stopped by hand (the documented "restarted when the daemon restarts").
 *
 * A --rm (AutoRemove) container is removed by the new daemon, whatever state it was in, created,
 * running or exited (moby's restore puts every AutoRemove container that will not restart in
 * removeContainers and calls ContainerRm on each, with RemoveVolume). Measured here the same way:
 * after a SIGKILL of dockerd holding `create --rm` (created), `run -d --rm ... sleep 3600` (running)
 * and `run -d ... sleep 3600`, the restarted daemon lists only the last, exited (137).
 */
import type { ContainerRecord } from './record.js';

/** A container the previous daemon left running (or paused, restarting): now killed. True when `rec` changed. */
export function stopLeftRunning(rec: ContainerRecord, finishedAt: string): boolean {
  const s = rec.state;
  if (!(s.Running || s.Paused || s.Restarting || s.Status === 'removing')) return false;
  const killed = s.Running || s.Paused;
  rec.state = {
    ...s,
    Status: 'exited',
    Running: false,
    Paused: false,
    Restarting: false,
    Pid: 0,
    ExitCode: killed ? 137 : s.ExitCode,
    FinishedAt: killed ? finishedAt : s.FinishedAt,
  };
  if (killed) rec.manuallyStopped = true;
  return true;
}

/** restartmanager.ShouldRestart as the daemon asks it at start, for a container that is not running. */
export function restartsAtDaemonStart(rec: ContainerRecord): boolean {
  if (!rec.hasBeenStarted || rec.state.Running) return false;
  const p = rec.hostConfig.RestartPolicy;
  switch (p.Name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !rec.manuallyStopped;
    case 'on-failure':
      return rec.state.ExitCode !== 0 && (p.MaximumRetryCount === 0 || rec.restartCount < p.MaximumRetryCount);
    default:
      return false;
  }
}

/** moby's restore: an AutoRemove container (which never has a restart policy) is removed at daemon start. */
export function removedAtDaemonStart(rec: ContainerRecord): boolean {
  return !!rec.hostConfig.AutoRemove;
}
