/**
 * The task runtime with networking around it, as moby's daemon wraps containerd: before the task
 * starts, the container's sandbox and endpoints are made (daemon.initializeNetworking,
 * connectToNetwork); after it ends, they are released (daemon.releaseNetwork), so a stopped
 * container holds no address. A network failure fails the start before any process runs.
 */
import type { Cgroup } from '../runtime/cgroup.js';
import type { ContainerRecord } from './containers/record.js';
import type { Task, TaskIO, TaskRuntime } from './containers/task.js';
import type { NetworkService } from './networks.js';

export class NetworkedRuntime implements TaskRuntime {
  constructor(
    private readonly inner: TaskRuntime,
    private readonly networks: NetworkService,
  ) {}

  async start(c: ContainerRecord, io: TaskIO): Promise<Task> {
    this.networks.attach(c);
    try {
      return await this.inner.start(c, io);
    } catch (e) {
      this.networks.detach(c);
      throw e;
    }
  }

  async cleanup(c: ContainerRecord): Promise<void> {
    await this.inner.cleanup(c);
    this.networks.detach(c);
  }

  async remove(c: ContainerRecord): Promise<void> {
    await this.inner.remove(c);
  }

  cgroupOf(id: string): Cgroup | undefined {
    return this.inner.cgroupOf?.(id);
  }
}
