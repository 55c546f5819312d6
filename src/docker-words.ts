/**
 * Docker's words for results, shared by the two edges that print them: the `boxlab` CLI and the API
 * server (whose `docker load` stream carries the same lines). The engine returns data; these turn it
 * into what `docker load` and `docker rmi` print.
 */
import type { LoadResult, RemovedItem } from './engine/images.js';

/** The lines `docker load` prints, in its order (moby image/tarexport/load.go). */
export function loadLines(res: LoadResult): string[] {
  const lines: string[] = [];
  for (const c of res.tagChanges) {
    if (c.previous)
      lines.push(`The image ${c.tag} already exists, renaming the old one with ID ${c.previous} to empty string`);
    lines.push(`Loaded image: ${c.tag}`);
  }
  for (const img of res.images) if (img.tags.length === 0) lines.push(`Loaded image ID: ${img.id}`);
  return lines;
}

/** `Untagged: x` / `Deleted: sha256:...`, as `docker rmi` prints its API answer. */
export function removedLines(items: readonly RemovedItem[]): string[] {
  return items.map((i) => ('untagged' in i ? `Untagged: ${i.untagged}` : `Deleted: ${i.deleted}`));
}
