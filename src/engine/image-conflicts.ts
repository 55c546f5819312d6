/**
 * Why `docker rmi` refuses an image containers use (moby daemon/images/image_delete.go, 20.10):
 * - by reference: the last tag of an image a container uses is kept unless forced, since removing it
 *   would leave the image dangling (`unable to remove repository reference ... (must force)`);
 * - the image itself: a running container's image cannot be deleted even with --force (a hard
 *   conflict), a stopped container's only with it (a soft one). When a tag was removed on the way,
 *   such a conflict ends the removal quietly: the tag is gone, the image stays.
 * The engine asks the container service who uses an image through `ImageUsers`.
 */
import { BoxlabError } from '../errors.js';
import { shortId, type Digest } from '../digest.js';

export interface ImageUser {
  id: string;
  running: boolean;
}

export type ImageUsers = (image: Digest) => ImageUser[];

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** Removing `ref`, the last tag of `id`, while containers use the image (checked unless forced). */
export function referenceConflict(ref: string, id: Digest, users: ImageUser[]): BoxlabError | null {
  const user = users[0];
  if (!user) return null;
  return new BoxlabError(
    'FailedPrecondition',
    `conflict: unable to remove repository reference "${ref}" (must force) - container ${short(user.id)} is using its referenced image ${shortId(id)}`,
  );
}

/** checkImageDeleteConflict for the containers: a running user always, a stopped one unless forced. */
export function deleteConflict(id: Digest, users: ImageUser[], force: boolean): { error: BoxlabError; used: boolean } | null {
  const running = users.find((u) => u.running);
  if (running)
    return {
      used: true,
      error: new BoxlabError('FailedPrecondition', `conflict: unable to delete ${shortId(id)} (cannot be forced) - image is being used by running container ${short(running.id)}`),
    };
  const stopped = users.find((u) => !u.running);
  if (stopped && !force)
    return {
      used: true,
      error: new BoxlabError('FailedPrecondition', `conflict: unable to delete ${shortId(id)} (must be forced) - image is being used by stopped container ${short(stopped.id)}`),
    };
  return null;
}
