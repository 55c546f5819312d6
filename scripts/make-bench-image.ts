/**
 * Makes the benchmark's realistic image: one layer holding an npm project's node_modules (~220 MB,
 * ~21,000 files), installed with `npm ci --ignore-scripts` from the lock file committed in
 * bench/fixture/, written as an OCI archive (gzip layer) and as Engine 20.10's `docker save`
 * archive (plain layer tar). Deterministic: members in sorted order, fixed mtimes and owners, modes
 * reduced to 0644/0755. Cached under the temp dir by the hash of the lock file, so a second run
 * does not install again.
 *
 *   npx tsx scripts/make-bench-image.ts     # prints the two archives' paths and the image's facts
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TarHeader } from '../src/util/tarout.js';
import { cached, CREATED, MTIME, type CachedImage } from '../bench/images.js';
import { imageOf, writeDockerArchive, writeLayer, writeOciArchive, type LayerMember } from '../bench/image-writer.js';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'bench', 'fixture');
const FIXTURE_FILES = ['package.json', 'package-lock.json'];
/** Bump when the way the image is made changes, so cached images are made again. */
const RECIPE = 'node-modules-v1';
/** Files at most this big are read whole; bigger ones are streamed. */
const READ_WHOLE = 1 << 20;

function npmCi(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm ci in ${dir}: exit ${code}`))));
  });
}

const header = (name: string, h: Partial<TarHeader>): TarHeader => ({ name, mode: 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: MTIME, ...h });

/** The tree under `root` as layer members named `prefix/...`, parents first, names in byte order. */
async function* treeMembers(root: string, prefix: string, counter: { files: number }): AsyncGenerator<LayerMember> {
  yield { header: header(`${prefix}/`, { type: 'directory', mode: 0o755 }) };
  const names = (await fsp.readdir(root)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const n of names) {
    const p = path.join(root, n);
    const name = `${prefix}/${n}`;
    const st = await fsp.lstat(p);
    if (st.isDirectory()) yield* treeMembers(p, name, counter);
    else if (st.isSymbolicLink()) yield { header: header(name, { type: 'symlink', mode: 0o777, linkname: await fsp.readlink(p) }) };
    else if (st.isFile()) {
      counter.files++;
      const mode = st.mode & 0o111 ? 0o755 : 0o644;
      const body = st.size <= READ_WHOLE ? await fsp.readFile(p) : () => fs.createReadStream(p, { highWaterMark: 1 << 20 });
      yield { header: header(name, { type: 'file', mode, size: st.size }), body };
    }
  }
}

/** The node_modules image, from the cache or made now. `log` hears what takes long. */
export async function makeBenchImage(opts: { log?: (s: string) => void } = {}): Promise<CachedImage> {
  const log = opts.log ?? (() => {});
  const hash = createHash('sha256').update(RECIPE);
  for (const f of FIXTURE_FILES) hash.update(fs.readFileSync(path.join(FIXTURE, f)));
  const key = `node-modules-${hash.digest('hex').slice(0, 16)}`;
  return cached(
    key,
    async (dir) => {
      const install = path.join(dir, 'install');
      await fsp.mkdir(install);
      for (const f of FIXTURE_FILES) await fsp.copyFile(path.join(FIXTURE, f), path.join(install, f));
      log(`making the node_modules image: npm ci --ignore-scripts in ${install} (once; cached as ${key})`);
      await npmCi(install);
      const counter = { files: 0 };
      async function* members(): AsyncGenerator<LayerMember> {
        yield { header: header('app/', { type: 'directory', mode: 0o755 }) };
        for (const f of FIXTURE_FILES) {
          const body = await fsp.readFile(path.join(install, f));
          counter.files++;
          yield { header: header(`app/${f}`, { type: 'file', size: body.length }), body };
        }
        yield* treeMembers(path.join(install, 'node_modules'), 'app/node_modules', counter);
      }
      const layer = await writeLayer(members(), { gz: path.join(dir, 'layer.tar.gz'), tar: path.join(dir, 'layer.tar') }, 'RUN npm ci --ignore-scripts');
      await fsp.rm(install, { recursive: true, force: true });
      const img = imageOf('bench/node-modules:1', [layer], CREATED);
      const oci = path.join(dir, 'image.oci.tar');
      const docker = path.join(dir, 'image.docker.tar');
      await writeOciArchive(img, oci);
      await writeDockerArchive(img, docker);
      await fsp.rm(layer.gzFile);
      await fsp.rm(layer.tarFile!);
      return {
        name: img.name,
        layers: 1,
        files: counter.files,
        uncompressedBytes: layer.tarSize,
        compressedBytes: layer.gzSize,
        ociArchiveBytes: fs.statSync(oci).size,
        dockerArchiveBytes: fs.statSync(docker).size,
      };
    },
    { docker: true },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  makeBenchImage({ log: (s) => process.stderr.write(s + '\n') }).then(
    (img) => process.stdout.write(JSON.stringify({ oci: img.oci, docker: img.docker, ...img.facts }, null, 2) + '\n'),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
