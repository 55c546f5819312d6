/**
 * The task runtime with networking around it, as moby's daemon wraps containerd: before the task
 * starts, the container's sandbox and endpoints are made (daemon.initializeNetworking,
 * connectToNetwork); after it ends, they are released (daemon.releaseNetwork), so a stopped
 * container holds no address. A network failure fails the start before any process runs. Published
 * ports are programmed after the endpoints exist (the bridge driver's ProgramExternalConnectivity)
 * and released with them.
 */
import type { Cgroup } from '../runtime/cgroup.js';
import { publishFor } from './publish-task.js';
import type { PublishedPorts } from './published.js';
import type { ContainerRecord } from './containers/record.js';
import type { Task, TaskIO, TaskRuntime } from './containers/task.js';
import type { NetworkService } from './networks.js';

export class NetworkedRuntime implements TaskRuntime {
  constructor(
    private readonly inner: TaskRuntime,
    private readonly networks: NetworkService,
    private readonly ports?: PublishedPorts,
  ) {}

  async start(c: ContainerRecord, io: TaskIO): Promise<Task> {
    this.networks.attach(c);
    try {
      if (this.ports) await publishFor(this.ports, this.networks.ctl, c);
      return await this.inner.start(c, io);
    } catch (e) {
      await this.release(c);
      throw e;
    }
  }

  async cleanup(c: ContainerRecord): Promise<void> {
    await this.inner.cleanup(c);
    await this.release(c);
  }

  private async release(c: ContainerRecord): Promise<void> {
    if (this.ports) {
      await this.ports.unpublish(c.id);
      this.ports.closeSockets(c.id);
    }
    this.networks.detach(c);
  }

  async remove(c: ContainerRecord): Promise<void> {
    await this.inner.remove(c);
  }

  cgroupOf(id: string): Cgroup | undefined {
    return this.inner.cgroupOf?.(id);
  }
}
