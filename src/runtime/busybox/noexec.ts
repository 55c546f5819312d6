/**
 * busybox's NOEXEC and NOFORK applets (1.35.0, Debian's busybox-static, the busybox of the images
 * here): ash runs one of these without execve'ing /proc/self/exe — as its last command in its own
 * process, otherwise in a forked child (run_noexec_applet_and_exit) — so /proc/PID/cmdline stays the
 * shell's and only the task's name changes (ps shows "{ps} sh -c ...", measured on the real engine). Measured on this host: an
 * applet is here when `strace -f -e execve busybox sh -c ': ; APPLET --help'` makes no second execve.
 */
export const NOEXEC_APPLETS: ReadonlySet<string> = new Set(
  '[ [[ adjtimex arch awk basename blkdiscard blockdev brctl cal chgrp chmod chown chroot chvt cp crc32 cttyhack cut date dd deallocvt df dirname dnsdomainname dos2unix dumpkmap dumpleases echo env expr false fatattr find fold free freeramdisk fsfreeze fstrim getopt groups head hexdump hostid hostname id insmod ionice ip ipcalc ipneigh kill killall link linux32 linux64 ln loadfont loadkmap logname losetup ls lsmod lsscsi md5sum mkdir mkfifo mknod mkpasswd mktemp modinfo modprobe mv nameif nproc nuke partprobe paste pivot_root printf ps pwd readlink realpath renice resume rm rmdir rmmod seq setkeycodes sha1sum sha256sum sha3sum sha512sum shuf sort stat stty sulogin svc svok sync sysctl tac taskset test touch true truncate tty tunctl umount uname unix2dos unlink uptime usleep vconfig w which who whoami xargs xxd yes'.split(' '),
);
