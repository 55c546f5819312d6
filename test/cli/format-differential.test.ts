/**
 * The differential test of `--format` (issue 14): the same Go templates applied by boxlab's CLI and
 * by the real `docker` CLI (28.x, against the run's private 20.10 daemon) to the same images give the
 * same text. Docker's CLI formats on its side, so this pins boxlab's template language, its
 * functions (text/template's and docker/cli's templates.go), `json`, `table` and the row fields.
 *
 * Templates that do not fail are joined with a separator and run in one command per side, to keep
 * the run short (each boxlab start costs seconds here); the separator is plain text to both.
 */
import * as path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { dockerd, docker, load } from '../oracle/docker.js';
import { CORPUS, tmpdir } from '../helpers/archive.js';
import { describeWithTool } from '../support/tools.js';
import { boxlab } from './run.js';

const SEP = '\n=====\n';
const ARCHIVES = [path.join(CORPUS, 'basic.docker.tar'), path.join(CORPUS, 'whiteouts.docker.tar'), path.join(CORPUS, 'dk-build.dsave.tar')];
const REFS = ['basic:latest', 'whiteouts:latest', 'dk-build:latest'];

/** Every construct the issue lists, on `image inspect` (whose objects are Docker's ImageInspect). */
const INSPECT = [
  '{{.Id}}',
  '{{.RepoTags}}',
  '{{.RootFS.Layers}}',
  '{{json .RepoTags}}',
  '{{json .RootFS}}',
  '{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.Labels}}',
  '{{json .Architecture}}',
  '{{range .RootFS.Layers}}{{.}}{{println}}{{end}}',
  '{{range $i, $l := .RootFS.Layers}}{{$i}}:{{truncate $l 19}} {{end}}',
  '{{range .RepoDigests}}{{.}}{{else}}no digests{{end}}',
  '{{index .RootFS.Layers 0}} {{index .RepoTags 0}}',
  '{{len .RootFS.Layers}} {{len .Id}} {{len .RepoTags}}',
  '{{join .RepoTags ","}}|{{join .RootFS.Layers " + "}}',
  '{{upper .Os}}/{{lower .Architecture}} {{title "hello wide world"}} {{upper (index .RepoTags 0)}}',
  '{{split "a:b:c" ":"}} {{index (split (index .RepoTags 0) ":") 0}} {{len (split .Id ":")}}',
  '{{println .Os .Architecture}}{{println}}x',
  '[{{pad .Os 2 3}}|{{pad "" 1 1}}|{{pad .Architecture 0 1}}]',
  '{{truncate .Id 10}}|{{truncate "abc" 10}}|{{truncate "abc" 3}}',
  '{{.Id | printf "%.19s"}} {{printf "%s-%d" .Os (len .RootFS.Layers)}} {{printf "%q" .Os}} {{printf "%5d|%-6s|" 42 .Os}}',
  '{{print .Os 1 2 "x" 3}} {{print 1 2}}',
  '{{if eq .Os "linux"}}L{{else if eq .Os "windows"}}W{{else}}?{{end}} {{if ne .Architecture "amd64"}}other{{else}}amd64{{end}}',
  '{{if gt (len .RootFS.Layers) 1}}many{{else}}one{{end}} {{if lt 1 2}}lt{{end}} {{if ge 2 2}}ge{{end}} {{if le 3 2}}le{{end}}',
  '{{with .RootFS}}{{.Type}}{{end}} {{with .Parent}}p{{else}}no parent{{end}}',
  '{{$os := .Os}}{{range .RootFS.Layers}}{{$os}}/{{$.Architecture}} {{end}}{{$os = "changed"}}{{$os}}',
  '{{- /* a comment */ -}}   {{.Os -}}   \n   {{- .Architecture}}',
  '{{if and .RepoTags (not .Parent)}}tagged{{end}} {{or .Comment "no comment"}} {{and 1 0}} {{or 0 ""}} {{not 0}}',
  '{{eq .Os "darwin" "linux"}} {{eq 1 1}} {{.Size}}',
  '{{range .Config.Env}}{{.}};{{end}}{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}',
  '{{(index .RootFS.Layers 0) | len}} {{.RootFS.Type | upper | lower}} {{(.RootFS).Type}}',
];

/** On `images REPO`: the row fields of docker's image formatter, `json` and `table`. */
const IMAGES = [
  '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.VirtualSize}} {{.Digest}}',
  '{{.CreatedAt}}|{{.Containers}}|{{.SharedSize}}|{{.UniqueSize}}',
  '{{json .}}',
  '{{upper .Repository}} {{json .Tag}} {{len .ID}}',
];
const IMAGE_FORMATS = ['json', 'table', 'table {{.ID}}\\t{{.Repository}}:{{.Tag}}\\t{{.Size}}', 'table {{.Repository}}|{{.Tag}}', '{{.Repository}}\\t{{.Tag}}'];

const HISTORY = ['{{.ID}} {{.Size}} {{.CreatedBy}}|{{.Comment}}|{{.CreatedAt}}', '{{json .}}', '{{len .CreatedBy}}'];
const HISTORY_FORMATS = ['json', 'table', 'table {{.ID}}\\t{{.CreatedBy}}\\t{{.Size}}', 'table {{.ID}}|{{.Size}}'];

describeWithTool(dockerd(), 'boxlab --format gives the docker CLI\'s text for the same templates', () => {
  const root = tmpdir('boxlab-cli-format-');
  beforeAll(async () => {
    for (const a of ARCHIVES) {
      expect((await load(a)).code).toBe(0);
      expect((await boxlab(root, ['load', '-i', a])).code).toBe(0);
    }
  });

  const both = async (args: string[]) => {
    const [d, b] = await Promise.all([docker(args), boxlab(root, args)]);
    return { docker: d, boxlab: b };
  };

  it('image inspect -f: fields, json, range, index, len, join, upper, lower, title, split, println, pad, truncate, printf, if, with, variables', { timeout: 600_000 }, async () => {
    // The docker CLI runs a template on its typed ImageInspect first and on the raw JSON when that
    // fails; 28.x's struct names the ID `ID`, so `.Id` is raw-only, and there `join` refuses the
    // raw []interface{} it gets for RepoTags. Each group stays in one of the two modes.
    const groups = [INSPECT.filter((t) => !t.includes('.Id')), INSPECT.filter((t) => t.includes('.Id'))];
    for (const ref of REFS) {
      for (const group of groups) {
        const r = await both(['image', 'inspect', '--format', group.join(SEP), ref]);
        expect(r.docker.code, r.docker.stderr).toBe(0);
        const theirs = r.docker.stdout.split(SEP);
        const ours = r.boxlab.stdout.split(SEP);
        group.forEach((t, i) => expect({ template: t, ref, out: ours[i] }).toEqual({ template: t, ref, out: theirs[i] }));
      }
    }
  });

  it('inspect: one line per image for several images, and a missing key is the same error', async () => {
    const r = await both(['image', 'inspect', '-f', '{{.Id}} {{.Os}}', ...REFS]);
    expect(r.boxlab.stdout).toBe(r.docker.stdout);
    // a field Docker's typed struct lacks (VirtualSize left it in v28) is read from the raw JSON
    const raw = await both(['image', 'inspect', '-f', '{{.VirtualSize}} {{json .RepoTags}}', ...REFS]);
    expect(raw.boxlab.stdout).toBe(raw.docker.stdout);
    const bad = await both(['image', 'inspect', '-f', 'x{{.Nope}}', 'basic']);
    expect([bad.boxlab.code, bad.boxlab.stderr.replace(/^Error: /, '')]).toEqual([bad.docker.code, bad.docker.stderr]);
  });

  it('images --format: row fields, json and table', async () => {
    for (const repo of ['basic', 'dk-build']) {
      const r = await both(['images', repo, '--format', IMAGES.join(SEP)]);
      expect(r.boxlab.stdout.split(SEP)).toEqual(r.docker.stdout.split(SEP));
      for (const f of IMAGE_FORMATS) {
        const t = await both(['images', repo, '--format', f]);
        expect({ f, out: t.boxlab.stdout }).toEqual({ f, out: t.docker.stdout });
      }
    }
    const digests = await both(['images', 'basic', '--digests']);
    expect(digests.boxlab.stdout).toBe(digests.docker.stdout);
  }, 600_000);

  it('history --format: row fields, json and table, human or not, truncated or not', async () => {
    for (const ref of ['basic:latest', 'dk-build:latest']) {
      for (const flags of [[], ['-H=false', '--no-trunc']]) {
        const r = await both(['history', ...flags, '--format', HISTORY.join(SEP), ref]);
        expect({ ref, flags, out: r.boxlab.stdout }).toEqual({ ref, flags, out: r.docker.stdout });
        for (const f of HISTORY_FORMATS) {
          const t = await both(['history', ...flags, '--format', f, ref]);
          expect({ ref, flags, f, out: t.boxlab.stdout }).toEqual({ ref, flags, f, out: t.docker.stdout });
        }
      }
    }
  }, 600_000);

  it('system df --format: the rows boxlab shares with docker (it has no containers, volumes or build cache)', async () => {
    const r = await both(['system', 'df', '--format', '{{.Type}} {{if ne .Type "Images"}}{{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}{{end}}']);
    expect(r.boxlab.stdout).toBe(r.docker.stdout);
    const t = await both(['system', 'df', '--format', 'table {{.Type}}\\t{{.Active}}']);
    expect(t.boxlab.stdout).toBe(t.docker.stdout);
  });
});
