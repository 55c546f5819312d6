/**
 * A container's (or an exec's) stdin as the daemon holds it between the attach connection and the
 * process (moby's stdin pipe of container/stream): what clients send is queued until the process
 * reads it, so a client that attaches before `start` (as `docker run -i` does) loses nothing. It
 * ends when the client closes its side and the container was made with StdinOnce (`docker run -i`),
 * or an exec's client closes it; then the process reads end of file.
 */
export class InputQueue implements AsyncIterable<Uint8Array> {
  private chunks: Uint8Array[] = [];
  private ended = false;
  private wake: () => void = () => {};

  push(data: Uint8Array): void {
    if (this.ended || data.length === 0) return;
    this.chunks.push(Buffer.from(data));
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const c = this.chunks.shift();
      if (c) {
        yield c;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}
