/**
 * busybox's applets in the model, by the name they are called with (what `busybox --list` names).
 * The kernel runs a file in /bin as one of these when it is busybox, and busybox's sh runs them
 * without a link (FEATURE_SH_STANDALONE, as Debian's busybox-static does).
 */
import type { ProgramRegistry } from '../program.js';
import { cp, ln, mv } from './copy.js';
import { mkdir, rm, rmdir, touch } from './files.js';
import { truncate } from './truncate.js';
import { find } from './find.js';
import { egrep, fgrep, grep } from './grep.js';
import { basename, date, dirname, dnsdomainname, hostname, id, nproc, pwd, sync, uname, usleep, whoami } from './info.js';
import { ls } from './ls.js';
import { ip, nslookup, ping } from './net.js';
import { httpd } from './httpd.js';
import { nc } from './nc.js';
import { wget } from './wget.js';
import { awk } from './awkmain.js';
import { hexdump, od } from './dump.js';
import { expr, printf } from './expr.js';
import { df, du, free, mount, which } from './system.js';
import { bracket, test } from './testcmd.js';
import { chgrp, chmod, chown } from './perms.js';
import { sed } from './sed.js';
import { cut, sort, tr, uniq } from './sort.js';
import { readlink, realpath, stat } from './stat.js';
import { xargs } from './xargs.js';
import { head, md5sum, seq, sha1sum, sha256sum, sha512sum, tail, tee, yes } from './text.js';
import { wc } from './wc.js';

export const busyboxApplets: ProgramRegistry = new Map([
  ['ls', ls],
  ['ip', ip],
  ['ping', ping],
  ['nslookup', nslookup],
  ['httpd', httpd],
  ['nc', nc],
  ['wget', wget],
  ['mkdir', mkdir],
  ['rmdir', rmdir],
  ['rm', rm],
  ['touch', touch],
  ['truncate', truncate],
  ['cp', cp],
  ['mv', mv],
  ['ln', ln],
  ['chmod', chmod],
  ['chown', chown],
  ['chgrp', chgrp],
  ['stat', stat],
  ['readlink', readlink],
  ['realpath', realpath],
  ['id', id],
  ['whoami', whoami],
  ['hostname', hostname],
  ['dnsdomainname', dnsdomainname],
  ['uname', uname],
  ['date', date],
  ['pwd', pwd],
  ['basename', basename],
  ['dirname', dirname],
  ['nproc', nproc],
  ['sync', sync],
  ['usleep', usleep],
  ['head', head],
  ['tail', tail],
  ['wc', wc],
  ['tee', tee],
  ['yes', yes],
  ['seq', seq],
  ['md5sum', md5sum],
  ['sha1sum', sha1sum],
  ['sha256sum', sha256sum],
  ['sha512sum', sha512sum],
  ['sort', sort],
  ['uniq', uniq],
  ['cut', cut],
  ['tr', tr],
  ['grep', grep],
  ['egrep', egrep],
  ['fgrep', fgrep],
  ['sed', sed],
  ['find', find],
  ['xargs', xargs],
  ['awk', awk],
  ['expr', expr],
  ['printf', printf],
  ['test', test],
  ['[', bracket],
  ['which', which],
  ['du', du],
  ['df', df],
  ['mount', mount],
  ['free', free],
  ['hexdump', hexdump],
  ['od', od],
]);
