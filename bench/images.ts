/**
 * The benchmark's generated images, made deterministically and cached under the temp dir by a key
 * that names their recipe, so a second run does not make them again:
 * - `syntheticImage()`: a realistic gzip'd OCI image of two layers, ~160 MB uncompressed: source-like
 *   text (compressible, as JS and config files are) and some incompressible binaries.
 * - `zerosImage(size)`: one layer holding one file of `size` zero bytes (1 GiB: a gzip of ~1 MB).
 */
import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TarHeader } from '../src/util/tarout.js';
import { imageOf, writeLayer, writeOciArchive, zeros, type LayerMember } from './image-writer.js';
import { mulberry32 } from '../test/helpers/rng.js';

export const CREATED = '2024-01-01T00:00:00Z';
export const MTIME = new Date(CREATED);

export interface CachedImage {
  dir: string;
  oci: string;
  docker?: string;
  /** Facts about the image, for the report. */
  facts: ImageFacts;
}

export interface ImageFacts {
  name: string;
  layers: number;
  files: number;
  uncompressedBytes: number;
  compressedBytes: number;
  ociArchiveBytes: number;
  dockerArchiveBytes?: number;
}

/** The benchmark's cache root (override with BOXLAB_BENCH_CACHE). */
export function cacheRoot(): string {
  // per user: another user's cache in a shared /tmp is not writable
  return process.env.BOXLAB_BENCH_CACHE ?? path.join(os.tmpdir(), `boxlab-bench-cache-${process.getuid?.() ?? 'u'}`);
}

/**
 * Returns the image cached under `key`, or builds it into a fresh dir and moves that into place:
 * a half-built image (an interrupted run) is never taken for a whole one.
 */
export async function cached(key: string, build: (dir: string) => Promise<ImageFacts>, opts: { docker?: boolean } = {}): Promise<CachedImage> {
  const dir = path.join(cacheRoot(), key);
  const factsFile = path.join(dir, 'facts.json');
  const paths = (d: string) => ({ oci: path.join(d, 'image.oci.tar'), ...(opts.docker ? { docker: path.join(d, 'image.docker.tar') } : {}) });
  if (fs.existsSync(factsFile)) return { dir, ...paths(dir), facts: JSON.parse(fs.readFileSync(factsFile, 'utf8')) as ImageFacts };
  await fsp.mkdir(cacheRoot(), { recursive: true });
  const work = await fsp.mkdtemp(path.join(cacheRoot(), `${key}.building-`));
  try {
    const facts = await build(work);
    await fsp.writeFile(path.join(work, 'facts.json'), JSON.stringify(facts, null, 2));
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.rename(work, dir);
  } catch (err) {
    await fsp.rm(work, { recursive: true, force: true });
    throw err;
  }
  return { dir, ...paths(dir), facts: JSON.parse(fs.readFileSync(factsFile, 'utf8')) as ImageFacts };
}


const WORDS = (
  'const let var function return if else for while import export default from async await new this class ' +
  'extends super null undefined true false typeof instanceof module require exports object array string ' +
  'number value options config result error callback promise resolve reject length index key name path ' +
  'buffer stream data event handler listener request response status headers body json parse stringify'
).split(' ');

/** A pool of JS-like lines; files are drawn from it, which compresses about as real JS does (3-5x). */
function linePool(rand: () => number, n: number): string[] {
  const ident = () => {
    const w = WORDS[Math.floor(rand() * WORDS.length)]!;
    return rand() < 0.5 ? w : w + WORDS[Math.floor(rand() * WORDS.length)]!.replace(/^./, (c) => c.toUpperCase()) + Math.floor(rand() * 100);
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const indent = '  '.repeat(Math.floor(rand() * 4));
    const kind = rand();
    if (kind < 0.3) out.push(`${indent}const ${ident()} = ${ident()}(${ident()}, ${ident()});`);
    else if (kind < 0.5) out.push(`${indent}if (${ident()}.${ident()} === ${Math.floor(rand() * 1e6)}) return ${ident()};`);
    else if (kind < 0.65) out.push(`${indent}// ${Array.from({ length: 6 + Math.floor(rand() * 8) }, ident).join(' ')}`);
    else if (kind < 0.8) out.push(`${indent}${ident()}.${ident()}('${ident()}', function (${ident()}) {`);
    else if (kind < 0.9) out.push(`${indent}});`);
    else out.push(`${indent}exports.${ident()} = "${createHash('md5').update(String(rand())).digest('hex')}";`);
  }
  return out;
}

function textFile(rand: () => number, pool: string[], size: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const l = pool[Math.floor(rand() * pool.length)]!;
    parts.push(l);
    n += l.length + 1;
  }
  return Buffer.from(parts.join('\n')).subarray(0, size);
}

/** Incompressible, deterministic bytes: AES-CTR of zeros under a key made from the seed. */
function randomFile(seed: number, size: number): Buffer {
  const key = createHash('sha256').update(`boxlab-bench-${seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const dirHeader = (name: string): TarHeader => ({ name: `${name}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: MTIME });
const fileHeader = (name: string, size: number, mode = 0o644): TarHeader => ({ name, type: 'file', size, mode, uid: 0, gid: 0, mtime: MTIME });

interface LayerPlan {
  seed: number;
  root: string;
  packages: number;
  textFilesPerPackage: number;
  meanTextBytes: number;
  binariesPerPackage: number;
  meanBinaryBytes: number;
}

/** Members of a synthetic layer: `root/pkgNNN/{lib,dist}/*.js`, package.json, and a few binaries each. */
function* syntheticMembers(p: LayerPlan, counter: { files: number }): Generator<LayerMember> {
  const rand = mulberry32(p.seed);
  const pool = linePool(rand, 6000);
  const parts = p.root.split('/');
  for (let i = 1; i <= parts.length; i++) yield { header: dirHeader(parts.slice(0, i).join('/')) };
  for (let k = 0; k < p.packages; k++) {
    const pkg = `${p.root}/pkg${String(k).padStart(3, '0')}`;
    yield { header: dirHeader(pkg) };
    for (const sub of ['dist', 'lib']) {
      yield { header: dirHeader(`${pkg}/${sub}`) };
      for (let f = 0; f < p.textFilesPerPackage / 2; f++) {
        // sizes spread from tiny to several times the mean, as source trees are
        const size = Math.max(16, Math.floor(p.meanTextBytes * -Math.log(1 - rand() * 0.999)));
        const body = textFile(rand, pool, size);
        counter.files++;
        yield { header: fileHeader(`${pkg}/${sub}/m${String(f).padStart(4, '0')}.js`, body.length), body };
      }
    }
    for (let b = 0; b < p.binariesPerPackage; b++) {
      const size = Math.floor(p.meanBinaryBytes * (0.5 + rand()));
      const body = randomFile(p.seed * 100_000 + k * 100 + b, size);
      counter.files++;
      yield { header: fileHeader(`${pkg}/bin${b}.node`, body.length, 0o755), body };
    }
    const manifest = Buffer.from(JSON.stringify({ name: `pkg${k}`, version: '1.0.0', main: 'lib/m0000.js' }, null, 2));
    counter.files++;
    yield { header: fileHeader(`${pkg}/package.json`, manifest.length), body: manifest };
  }
}

const SYNTHETIC_LAYERS: LayerPlan[] = [
  // a base: libraries, mostly binaries
  { seed: 1, root: 'usr/lib/base', packages: 40, textFilesPerPackage: 20, meanTextBytes: 8_000, binariesPerPackage: 2, meanBinaryBytes: 150_000 },
  // the application and its dependencies, mostly text
  { seed: 2, root: 'app/node_modules', packages: 120, textFilesPerPackage: 60, meanTextBytes: 16_000, binariesPerPackage: 1, meanBinaryBytes: 120_000 },
];

/** The synthetic image (section 1): cached under a key naming its recipe. */
export async function syntheticImage(): Promise<CachedImage> {
  const key = `synthetic-${createHash('sha256').update(JSON.stringify(SYNTHETIC_LAYERS)).update('v1').digest('hex').slice(0, 12)}`;
  return cached(key, async (dir) => {
    const counter = { files: 0 };
    const layers = [];
    for (const [i, plan] of SYNTHETIC_LAYERS.entries()) {
      layers.push(await writeLayer(syntheticMembers(plan, counter), { gz: path.join(dir, `layer${i}.tar.gz`) }, `COPY ${plan.root} /${plan.root}`));
    }
    const img = imageOf('bench/synthetic:1', layers, CREATED);
    const oci = path.join(dir, 'image.oci.tar');
    await writeOciArchive(img, oci);
    for (const l of layers) await fsp.rm(l.gzFile);
    return {
      name: img.name,
      layers: layers.length,
      files: counter.files,
      uncompressedBytes: layers.reduce((n, l) => n + l.tarSize, 0),
      compressedBytes: layers.reduce((n, l) => n + l.gzSize, 0),
      ociArchiveBytes: fs.statSync(oci).size,
    };
  });
}

/** One layer holding `/zeros` of `size` bytes; built streaming, never holding the file in memory. */
export async function zerosImage(size: number): Promise<CachedImage> {
  return cached(`zeros-${size}-v1`, async (dir) => {
    const layer = await writeLayer(
      [{ header: fileHeader('zeros', size), body: () => zeros(size) }],
      { gz: path.join(dir, 'layer.tar.gz') },
      `dd if=/dev/zero of=/zeros bs=1M count=${size >> 20}`,
    );
    const img = imageOf('bench/zeros:1', [layer], CREATED);
    const oci = path.join(dir, 'image.oci.tar');
    await writeOciArchive(img, oci);
    await fsp.rm(layer.gzFile);
    return {
      name: img.name,
      layers: 1,
      files: 1,
      uncompressedBytes: layer.tarSize,
      compressedBytes: layer.gzSize,
      ociArchiveBytes: fs.statSync(oci).size,
    };
  });
}

