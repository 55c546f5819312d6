/**
 * Build OCI images from declarative specs, deterministically: the same spec gives the same bytes,
 * hence the same digests, on every run. Used by `npm run images` (images/), by tests for fixtures
 * and bad-input archives, and by labs.
 *
 *   const alpine = await buildImage({ name: 'boxlab/alpine:3.20', created, steps: [{ ops: [...] }] });
 *   const app = await buildImage({ name: 'boxlab/webapp:1.0', created, steps: [...] }, alpine);
 *   await writeOciArchive([app], { out: 'webapp.oci.tar' });
 *   await writeDockerArchive([app], { mutateMembers: mutate.remove('manifest.json') });
 */
export * from './build/layer.js';
export * from './build/image.js';
export * from './build/archive.js';
export * from './build/docker-archive.js';
export { v1Layers, goJson } from './build/docker-v1.js';
