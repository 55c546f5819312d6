import type { Digest } from '../digest.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

export type Compression = 'none' | 'gzip' | 'zstd';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

/** The parts of an image config (OCI config.md / Docker's image JSON) that boxlab reads. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: Record<string, unknown>;
  container_config?: Record<string, unknown>;
  docker_version?: string;
  rootfs: { type: string; diff_ids: Digest[] };
  history?: HistoryEntry[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export function layerMediaType(c: Compression, docker = false): string {
  if (docker) return c === 'gzip' ? MediaType.dockerLayerGzip : MediaType.dockerLayer;
  return c === 'gzip' ? MediaType.ociLayerGzip : c === 'zstd' ? MediaType.ociLayerZstd : MediaType.ociLayer;
}

export function compressionOfMediaType(mt: string): Compression | 'unknown' {
  if (mt.endsWith('.tar') || mt.endsWith('tar.v1') || mt === MediaType.dockerLayer) return 'none';
  if (mt.endsWith('+gzip') || mt.endsWith('.tar.gzip')) return 'gzip';
  if (mt.endsWith('+zstd')) return 'zstd';
  return 'unknown';
}
