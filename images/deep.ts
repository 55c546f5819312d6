/**
 * `boxlab/deep:latest`: 31 layers FROM scratch, for looking at depth. Layers 1 to 30 each add one file
 * to the shared directory /data (so every layer holds a `data/` entry, and a lookup in /data meets
 * all of them); layer 31 rewrites the file of layer 1, so the bottom copy is shadowed (wasted bytes).
 * Written as a `docker save` archive: the legacy format, uncompressed layer tars.
 */
import type { ImageSpec, Step } from '../src/oci/build.js';

export const DEEP_ADDS = 30;

const pad = (n: number) => String(n).padStart(2, '0');

const adds: Step[] = Array.from({ length: DEEP_ADDS }, (_, i) => ({
  createdBy: `RUN /bin/sh -c echo "layer ${pad(i + 1)}" > /data/layer-${pad(i + 1)}.txt # buildkit`,
  ops: [{ op: 'file', path: `data/layer-${pad(i + 1)}.txt`, content: `layer ${pad(i + 1)}\n` }],
}));

export const deep: ImageSpec = {
  name: 'boxlab/deep:latest',
  created: '2024-10-02T12:00:00Z',
  steps: [
    { emptyLayer: true, createdBy: 'WORKDIR /data' },
    ...adds,
    {
      createdBy: 'RUN /bin/sh -c echo "layer 01, rewritten by layer 31" > /data/layer-01.txt # buildkit',
      ops: [{ op: 'file', path: 'data/layer-01.txt', content: 'layer 01, rewritten by layer 31\n' }],
    },
  ],
  config: { WorkingDir: '/data', Labels: { 'org.opencontainers.image.description': '31 layers, one shared directory' } },
};
