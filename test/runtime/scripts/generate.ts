/**
 * A seeded generator of busybox sh scripts over the dk-build image's tree: file and directory work
 * (mkdir, echo and printf redirections, cat, cp, mv, rm, rmdir, ln, chmod, touch, truncate, sed -i),
 * views of the result (ls -la without times, stat -c with stable fields, find, wc, head, sort, grep,
 * test), shell structure (pipes, && and ||, for and while loops, functions, subshells, $(...), 2>),
 * and the errors a real container meets: a missing file, rmdir of a non-empty directory, mkdir of an
 * existing one, a write through a dangling symlink, the rename of a lower directory (EXDEV under
 * Docker's overlay mount, which busybox mv turns into a copy), whiteouts and opaque directories over
 * lower content. No clock, no pids: every line gives the same output on every run.
 */

import { mulberry32 } from '../../helpers/rng.js';

// The image's tree (test/fixtures/corpus/dk-build.expected.txt): lower files, hardlinks, a symlink to
// a directory, an empty directory, whiteouts (/app/config/extra.ini, /app/src/lib/util.txt) and an
// opaque directory (/srv/site hides old.html).
const LOWER_FILES = ['/app/bin/run', '/app/config/settings.ini', '/app/src/main.txt', '/data/small.txt', '/data/small.hard', '/etc/motd', '/etc/os-release', '/srv/site/index.html', '/var/log/app.log', '/cfg/settings.ini'];
const HIDDEN = ['/app/config/extra.ini', '/app/src/lib/util.txt', '/srv/site/old.html'];
const LOWER_DIRS = ['/app', '/app/bin', '/app/config', '/app/src', '/app/src/lib', '/data', '/data/emptydir', '/srv/site', '/var/log', '/tmp', '/cfg'];
const NEW_DIRS = ['/w', '/w/d', '/tmp/t', '/data/n', '/app/src/new'];
const NEW_FILES = ['/w/a', '/w/b', '/w/d/c', '/tmp/x', '/tmp/t/y', '/data/new.txt', '/app/config/local.ini', '/srv/site/n.html'];
const WORDS = ['alpha', 'beta', 'x y', 'hello world', '42', '', 'a-b'];

type Pick = <T>(xs: readonly T[]) => T;

const q = (s: string) => `'${s}'`;

/** One statement; `pick` chooses, `depth` bounds nesting. */
function statement(pick: Pick, r: () => number, depth: number): string {
  const file = () => pick([...LOWER_FILES, ...NEW_FILES, ...NEW_FILES, pick(HIDDEN)]);
  const dir = () => pick([...LOWER_DIRS, ...NEW_DIRS]);
  const any = () => (r() < 0.5 ? file() : dir());
  const word = () => q(pick(WORDS));
  const forms: (() => string)[] = [
    () => `mkdir ${dir()}`,
    () => `mkdir -p ${pick(NEW_DIRS)}/${pick(['s', 'deep/er'])}`,
    () => `echo ${word()} > ${file()}`,
    () => `echo ${word()} >> ${file()}`,
    () => `printf '%s:%d\\n' ${word()} ${Math.floor(r() * 100)} > ${file()}`,
    () => `cat ${file()}`,
    () => `cp ${file()} ${file()}`,
    () => `cp -r ${dir()} ${pick(NEW_DIRS)}`,
    () => `mv ${any()} ${pick([...NEW_FILES, ...NEW_DIRS])}`,
    () => `mv ${pick(LOWER_DIRS)} ${pick(NEW_DIRS)}`,
    () => `rm ${file()}`,
    () => `rm -f ${file()}`,
    () => `rm -rf ${dir()}`,
    () => `rmdir ${dir()}`,
    () => `ln -s ${pick(['/nowhere/f', '../etc/motd', 'missing', '/app/config'])} ${pick(NEW_FILES)}`,
    () => `ln ${file()} ${pick(NEW_FILES)}`,
    () => `chmod ${pick(['600', '755', '644', '700', 'u+x', 'go-r'])} ${any()}`,
    () => `touch ${file()}`,
    () => `truncate -s ${pick(['0', '3', '20'])} ${file()}`,
    () => `sed -i 's/a/A/' ${file()}`,
    () => `ls -la ${dir()} | awk '{print $1, $2, $3, $4, $5, $9, $10, $11}'`,
    () => `ls ${dir()}`,
    () => `stat -c '%n %s %a %F %h %u:%g' ${any()}`,
    () => `find ${dir()} | sort`,
    () => `find ${dir()} -type f | wc -l`,
    () => `wc -c ${file()}`,
    () => `head -n 1 ${file()} | sort`,
    () => `grep -n ${pick(['a', 'e', 'x'])} ${file()}`,
    () => `sed 's/e/E/g' ${file()}`,
    () => `[ -${pick(['f', 'd', 'e', 'L', 's'])} ${any()} ] && echo yes || echo no`,
    () => `test -w ${any()}; echo "test $?"`,
    () => `cat ${file()} 2>/tmp/err; echo "cat $?"; cat /tmp/err`,
    () => `x=$(cat ${file()} 2>&1); echo "got [$x]"`,
    () => `( cd ${dir()} && ls -a )`,
    () => `for f in a b c; do echo $f >> ${file()}; done`,
    () => `i=0; while [ $i -lt 3 ]; do echo $i > ${pick(NEW_DIRS)}/n$i; i=$((i+1)); done`,
    () => `mk() { mkdir -p "$1" && echo "$2" > "$1/f"; }; mk ${pick(NEW_DIRS)} ${word()}`,
    () => `cat ${file()} | wc -l`,
    () => `echo "status $?"`,
  ];
  if (depth > 0) {
    forms.push(
      () => `{ ${statement(pick, r, depth - 1)}; } 2>&1 | head -n 3`,
      () => `${statement(pick, r, depth - 1)} && ${statement(pick, r, depth - 1)} || echo failed`,
      () => `if [ -e ${any()} ]; then ${statement(pick, r, depth - 1)}; else ${statement(pick, r, depth - 1)}; fi`,
      () => `( ${statement(pick, r, depth - 1)} ); echo "sub $?"`,
    );
  }
  return pick(forms)();
}

/** A script of 4 to 12 statements, the same for the same seed. */
export function generate(seed: number): string {
  const r = mulberry32(seed);
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)]!;
  const n = 4 + Math.floor(r() * 9);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(statement(pick, r, 1));
  lines.push('echo "end $?"');
  return lines.join('\n');
}

/** Hand-written scripts for the edges the generator reaches only by luck. */
export const EDGES: { name: string; script: string }[] = [
  { name: 'rename of a lower directory (EXDEV, then a copy)', script: 'mv /app/src /app/moved; echo $?; find /app | sort; mv /data/emptydir /data/e2; ls -la /data | awk \'{print $1, $2, $5, $9}\'' },
  { name: 'rm -rf of a lower directory, then mkdir: an opaque directory', script: 'rm -rf /app/config; mkdir /app/config; echo n > /app/config/new; ls -a /app/config; cat /cfg/settings.ini; ls /cfg' },
  { name: 'the same empty directory again', script: 'rm -rf /data/emptydir; mkdir /data/emptydir; mkdir /srv/site/sub; rmdir /srv/site/sub' },
  { name: 'a write through a dangling symlink', script: 'ln -s nowhere /tmp/dang; echo hi > /tmp/dang; echo $?; ln -s /no/dir/f /tmp/d2; echo x > /tmp/d2; echo $?; ls -l /tmp | awk \'{print $1, $9, $10, $11}\'' },
  { name: 'rmdir of a non-empty directory, mkdir of an existing one', script: 'rmdir /app; echo $?; mkdir /app; echo $?; mkdir /etc/motd/x; echo $?; rmdir /data/emptydir; echo $?' },
  { name: 'whiteouts hide lower files', script: 'cat /app/config/extra.ini; ls /app/src/lib; cat /srv/site/old.html; ls /srv/site; echo extra > /app/config/extra.ini; ls /app/config' },
  { name: 'hardlinks and copy-up', script: 'echo more >> /data/small.txt; cat /data/small.hard; stat -c "%n %h %s" /data/small.txt /data/small.hard; ln /app/bin/run /app/run2; stat -c "%h" /app/run2' },
  { name: 'chmod to the same mode and a touch', script: 'chmod 644 /etc/motd; touch /var/log/app.log; chmod 600 /app/config/settings.ini; ls -l /app/config | awk \'{print $1, $9}\'' },
  { name: 'a file replaced by a directory and back', script: 'rm /etc/motd; mkdir /etc/motd; echo in > /etc/motd/f; rm -rf /app/bin; echo file > /app/bin; find /etc /app | sort' },
  { name: 'directory sizes and link counts in stat', script: 'stat -c "%n %s %h %a" / /app /app/bin /data/emptydir /tmp; mkdir /tmp/n; stat -c "%n %s %h" /tmp /tmp/n' },
  { name: 'sed -i, truncate and wc', script: 'sed -i "s/o/0/g" /etc/os-release; cat /etc/os-release; truncate -s 2 /app/src/main.txt; wc -c /app/src/main.txt; truncate -s 10 /w 2>&1; echo $?' },
  { name: 'a hardlink to a lower file, written through one name, moved', script: "ln /etc/motd /etc/motd2; echo x >> /etc/motd; stat -c '%n %h %s' /etc/motd /etc/motd2; mv /etc/motd2 /tmp/m; ls -l /tmp | awk '{print $1, $2, $5, $9}'" },
  { name: 'a symlink to a lower directory, followed by a trailing slash', script: "mkdir -p /a/b/c && cd /a/b && pwd && cd ../.. && rm -r a; cd /tmp; ln -s /app/config cfg2; ls -l cfg2/ | awk '{print $1, $9}'; cat cfg2/settings.ini; rm cfg2/settings.ini; ls /app/config" },
  { name: 'cp -r and cp -a of lower trees', script: 'cp -r /app /copy; cp -a /srv /srv2; find /copy /srv2 | sort; ls -la /copy/config | awk \'{print $1, $2, $5, $9}\'' },
];
