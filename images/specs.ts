/**
 * The bundled images: declarative specs, built by `npm run images` (scripts/build-images.ts) into the
 * archives beside this file. test/images.test.ts checks that the committed archives equal a fresh build.
 */
import { buildImage, writeDockerArchive, writeOciArchive, type BuiltImage } from '../src/oci/build.js';
import { alpine } from './alpine.js';
import { deep } from './deep.js';
import { webapp } from './webapp.js';

export { alpine, deep, webapp };

export interface BundledArchive {
  /** File name under images/. */
  file: string;
  format: 'oci' | 'docker';
  /** The image names it holds. */
  images: string[];
  build(): Promise<Buffer>;
}

/** Every bundled image, built (webapp FROM alpine, sharing its layer). */
export async function buildBundledImages(): Promise<Record<'alpine' | 'webapp' | 'deep', BuiltImage>> {
  const a = await buildImage(alpine);
  return { alpine: a, webapp: await buildImage(webapp, a), deep: await buildImage(deep) };
}

export const bundledArchives: BundledArchive[] = [
  {
    file: 'alpine.oci.tar',
    format: 'oci',
    images: [alpine.name],
    build: async () => writeOciArchive([(await buildBundledImages()).alpine]),
  },
  {
    file: 'webapp.oci.tar',
    format: 'oci',
    images: [webapp.name],
    build: async () => writeOciArchive([(await buildBundledImages()).webapp]),
  },
  {
    file: 'deep.docker.tar',
    format: 'docker',
    images: [deep.name],
    build: async () => writeDockerArchive([(await buildBundledImages()).deep]),
  },
];
