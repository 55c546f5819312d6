/** boxlab as a library: everything the CLI, labs and tour do goes through the Engine. */
export { Engine } from './engine/engine.js';
export type { LoadResult, ImageSummary, HistoryRow, LayerReport } from './engine/engine.js';
export { BoxlabError, FsError, isCode, isErrno } from './errors.js';
export type { ErrorCode, Errno } from './errors.js';
export { chainIds, sha256, type Digest } from './digest.js';
export type { LayerEntry, LayerSource } from './layer/types.js';
export { Store, defaultRoot } from './store/store.js';
export { MAX_IMAGE_LAYERS } from './oci/load.js';
