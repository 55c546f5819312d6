/** Docker's CLI conventions, each through the CLI as a user types it (issue 14). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, tmpdir } from '../helpers/archive.js';
import { itWithTool, needTool } from '../support/tools.js';
import { boxlab, boxlabOnTerminal } from './run.js';

const WHITEOUTS = path.join(CORPUS, 'whiteouts.docker.tar');
const BASIC = path.join(CORPUS, 'basic.docker.tar');

async function storeWith(...archives: string[]): Promise<string> {
  const root = tmpdir('boxlab-cli-');
  for (const a of archives) expect((await boxlab(root, ['load', '-i', a])).code).toBe(0);
  return root;
}
const imageCount = (root: string) => fs.readdirSync(path.join(root, 'images')).length;

describe('prune asks first, as docker does', () => {
  const IMAGE_WARNING = 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] ';

  it('without a terminal and without -f, image prune -a and system prune -a ask and delete nothing', async () => {
    const root = await storeWith(WHITEOUTS, BASIC);
    expect(await boxlab(root, ['image', 'prune', '-a'])).toEqual({ code: 0, stdout: IMAGE_WARNING, stderr: '' });
    const sys = await boxlab(root, ['system', 'prune', '-a']);
    expect(sys.stdout).toBe('WARNING! This will remove:\n  - all images without at least one container associated to them\n\nAre you sure you want to continue? [y/N] ');
    expect(imageCount(root)).toBe(2);
  });

  it('goes on when the answer is y, and at once with -f', async () => {
    const root = await storeWith(WHITEOUTS, BASIC);
    expect((await boxlab(root, ['image', 'prune', '-a'], { input: 'n\n' })).stdout).toBe(IMAGE_WARNING);
    expect(imageCount(root)).toBe(2);
    expect((await boxlab(root, ['image', 'prune', '-a'], { input: 'y\n' })).stdout).toMatch(/\[y\/N\] Deleted Images:\n/);
    expect(imageCount(root)).toBe(0);
    const again = await storeWith(WHITEOUTS);
    expect((await boxlab(again, ['system', 'prune', '-a', '-f'])).stdout).toMatch(/^Deleted Images:\n/);
    expect(imageCount(again)).toBe(0);
  });

  itWithTool(needTool('script', 'apt-get install util-linux'), 'on a terminal it waits for the answer: N keeps every image', async () => {
    const root = await storeWith(WHITEOUTS, BASIC);
    const r = await boxlabOnTerminal(root, ['image', 'prune', '-a'], 'N\n');
    expect(r.code).toBe(0);
    expect(r.screen).toContain('Are you sure you want to continue? [y/N] ');
    expect(imageCount(root)).toBe(2);
  });
});

describe('flags and arguments are parsed as the docker CLI parses them', () => {
  let root = '';
  beforeAll(async () => {
    root = await storeWith(WHITEOUTS, BASIC);
  });

  it('-v after a command is not --version: load -v refuses and loads nothing', async () => {
    const fresh = tmpdir('boxlab-cli-');
    const r = await boxlab(fresh, ['load', '-v', '-i', BASIC]);
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("unknown shorthand flag: 'v' in -v\n\nUsage:  boxlab load [OPTIONS]\n\nRun 'boxlab load --help' for more information\n");
    expect(fs.existsSync(path.join(fresh, 'images')) ? fs.readdirSync(path.join(fresh, 'images')) : []).toEqual([]);
    expect((await boxlab(fresh, ['-v'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('system df -v is verbose: one row per image', async () => {
    const plain = (await boxlab(root, ['system', 'df'])).stdout;
    const verbose = (await boxlab(root, ['system', 'df', '-v'])).stdout;
    expect(plain).not.toMatch(/IMAGE ID/);
    expect(verbose).toMatch(/^IMAGE ID\s+TAGS\s+SHARED SIZE\s+UNIQUE SIZE$/m);
    expect(verbose).toMatch(/^c330b18779fb\s+whiteouts:latest\s/m);
  });

  it('extra arguments are refused with docker\'s words and status 1', async () => {
    const load = await boxlab(root, ['load', '-i', BASIC, 'b.tar']);
    expect([load.code, load.stdout]).toEqual([1, '']);
    expect(load.stderr.split('\n')[0]).toBe("boxlab: 'boxlab load' accepts no arguments");
    const images = await boxlab(root, ['images', 'a', 'b']);
    expect(images.code).toBe(1);
    expect(images.stderr.split('\n')[0]).toBe("boxlab: 'boxlab images' requires at most 1 argument");
    expect((await boxlab(root, ['history'])).stderr.split('\n')[0]).toBe("boxlab: 'boxlab history' requires 1 argument");
  });

  it('images REPOSITORY lists that repository only', async () => {
    expect((await boxlab(root, ['images', 'deep'])).stdout).toBe('REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n'); // docker's, byte for byte
    const basic = (await boxlab(root, ['images', 'basic'])).stdout.trim().split('\n');
    expect(basic.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['basic']);
    expect((await boxlab(root, ['images', 'whiteouts:latest', '-q'])).stdout).toBe('c330b18779fb\n');
  });

  it('history -H takes a Go bool: -H=false, -H=0 and --human=false turn it off, -H IMG keeps it on, -H=nonsense is refused', async () => {
    for (const off of ['-H=false', '-H=0', '--human=false', '--human=F']) {
      const r = await boxlab(root, ['history', off, 'basic']);
      expect(r.stdout.split('\n')[0]).toMatch(/^IMAGE\s+CREATED AT\s+CREATED BY\s+SIZE\s+COMMENT$/);
      expect(r.stdout.split('\n')[1]).toMatch(/^85e1abd7ffb4\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+umoci repack\s+40\s*$/);
    }
    const on = await boxlab(root, ['history', '-H', 'basic']);
    expect([on.code, on.stdout.split('\n')[1]]).toEqual([0, expect.stringMatching(/ ago\s+umoci repack\s+40B\s*$/)]);
    const bad = await boxlab(root, ['history', '-H=nonsense', 'basic']);
    expect(bad.code).toBe(125);
    expect(bad.stderr.split('\n')[0]).toBe('invalid argument "nonsense" for "-H, --human" flag: strconv.ParseBool: parsing "nonsense": invalid syntax');
    // the next word is an argument, not the flag's value, as with pflag
    expect((await boxlab(root, ['history', '-H', '0', 'basic'])).stderr.split('\n')[0]).toBe("boxlab: 'boxlab history' requires 1 argument");
  });

  it('no arguments prints the help and exits 0; every argument is described', async () => {
    const r = await boxlab(root, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: boxlab /);
    for (const cmd of ['history', 'lookup', 'export', 'save', 'rmi', 'inspect', 'tag', 'images']) {
      const help = (await boxlab(root, [cmd, '--help'])).stdout;
      expect(help, cmd).toMatch(/^Arguments:\n/m);
      // each argument's line names it, then its description (a long one wraps onto indented lines)
      for (const line of help.split('Arguments:\n')[1]!.split('\n\n')[0]!.split('\n').filter((l) => /^ {2}\S/.test(l))) expect(line, cmd).toMatch(/^ {2}\S+\s{2,}\S/);
    }
  });

  it('a docker verb boxlab lacks says so and names the way to do it', async () => {
    const r = await boxlab(root, ['run', '--rm', 'basic', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: boxlab has no "run" yet: run containers through `boxlab daemon` and the docker CLI\n');
  });
});

describe('load progress on a terminal', () => {
  itWithTool(needTool('script', 'apt-get install util-linux'), 'on 80 columns keeps the numbers and drops the bar, as docker does below 111', async () => {
    const deep = path.join(import.meta.dirname, '..', '..', 'images', 'deep.docker.tar');
    const r = await boxlabOnTerminal(tmpdir('boxlab-cli-'), ['load', '-i', deep], '', { columns: 80 });
    expect(r.code).toBe(0);
    // what the terminal shows of each progress line: cursor moves and erases taken out
    const lines = r.screen.split(/[\r\n]/).map((l) => l.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'), '')).filter((l) => l.includes('Loading layer'));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l.length, l).toBeLessThanOrEqual(80);
      expect(l).toMatch(/^[0-9a-f]{12}: Loading layer +\d+(\.\d+)?[kMG]?B\/\d+(\.\d+)?[kMG]?B/);
    }
  });
});

describe("docker's image verbs", () => {
  it('tag, image ls|tag|rm|history -q|inspect -f, --filter and --json with docker\'s keys', async () => {
    const root = await storeWith(WHITEOUTS, BASIC);
    expect(await boxlab(root, ['tag', 'basic', 'mine/basic:v1'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await boxlab(root, ['image', 'tag', 'whiteouts', 'mine/w'])).code).toBe(0);
    const ls = (await boxlab(root, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', '--filter', 'reference=mine/*'])).stdout;
    expect(ls.split('\n').filter(Boolean).sort()).toEqual(['mine/basic:v1 85e1abd7ffb4', 'mine/w:latest c330b18779fb']);
    expect((await boxlab(root, ['images', '-f', 'reference=mine/*:v1', '-q'])).stdout).toBe('85e1abd7ffb4\n');
    expect((await boxlab(root, ['images', '-f', 'dangling=true', '-q'])).stdout).toBe('');
    expect((await boxlab(root, ['image', 'history', '-q', 'mine/basic:v1'])).stdout).toBe('85e1abd7ffb4\n');
    expect((await boxlab(root, ['image', 'inspect', '-f', '{{json .RepoTags}}', 'basic'])).stdout).toBe('["basic:latest","mine/basic:v1"]\n');
    const [row] = JSON.parse((await boxlab(root, ['images', 'mine/basic', '--json'])).stdout);
    expect(Object.keys(row)).toEqual(['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize']);
    expect((await boxlab(root, ['image', 'rm', 'mine/basic:v1'])).stdout).toBe('Untagged: mine/basic:v1\n');
    const bad = await boxlab(root, ['images', '--filter', 'color=red']);
    expect([bad.code, bad.stderr]).toEqual([1, "Error: invalid filter 'color'\n"]);
  });
});

