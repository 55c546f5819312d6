import { describe, expect, it } from 'vitest';
import { run } from '../../labs/06-docker-host.js';

describe('lab 06: the Docker host', () => {
  it('draws the layer store, the image, the container’s layers with its write and its whiteout, and its directory', async () => {
    let text = '';
    await run({ write: (s) => void (text += s) });
    // eslint-disable-next-line no-control-regex -- stripping ANSI colours is the point
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain.match(/├── cache-id \(64B\)|└── cache-id \(64B\)/g)?.length).toBeGreaterThan(1);
    expect(plain).toMatch(/greeting \(6B\)/);
    expect(plain).toMatch(/motd \[char device\] {2}# whiteout/);
    expect(plain).toMatch(/-init\/\n├── committed \(0B\)/);
    expect(plain).toMatch(/[0-9a-f]{64}-json\.log \(\d+B\)/);
  });
});
