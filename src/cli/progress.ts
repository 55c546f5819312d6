import cliProgress from 'cli-progress';
import { humanSize } from './format.js';

/**
 * Per-layer progress bars as `docker load` draws them, on a terminal only: piped output gets
 * nothing but the result.
 */
export function layerProgress(stream: NodeJS.WriteStream, verb: string): {
  update(id: string, current: number, total: number): void;
  stop(): void;
} {
  if (!stream.isTTY) return { update() {}, stop() {} };
  // docker's jsonmessage draws the bar only on a terminal wider than 110 columns; narrower, the
  // numbers stay and the bar goes, instead of the line being cut at the edge
  const wide = (stream.columns ?? 80) > 110;
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: wide ? `{id}: ${verb} [{bar}] {done}/{size} {rate}` : `{id}: ${verb} {done}/{size} {rate}`,
      barCompleteChar: '=',
      barIncompleteChar: ' ',
      barsize: 50,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.legacy,
  );
  const known = new Map<string, { bar: cliProgress.SingleBar; start: number }>();
  return {
    update(id, current, total) {
      let b = known.get(id);
      if (!b) {
        b = { bar: bars.create(total, 0, { id, done: '0B', size: humanSize(total), rate: '' }), start: Date.now() };
        known.set(id, b);
      }
      const secs = Math.max((Date.now() - b.start) / 1000, 0.001);
      b.bar.update(current, { done: humanSize(current), rate: `${humanSize(current / secs)}/s` });
    },
    stop() {
      bars.stop();
    },
  };
}
