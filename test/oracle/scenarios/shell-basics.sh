# The shell and the applets a tutorial uses, through docker run: expansions, here-documents, traps,
# loops, arithmetic, text tools, files and processes, and the errors they print.
t run --rm $IMG echo hello world
t run --rm $IMG sh -c 'for i in 1 2 3; do echo "n=$i"; done; i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i'
t run --rm $IMG sh -c 'echo $((2*21)) $((7/2)) $((7%3)) $((1<<4)) $(( (3+4)*2 ))'
t run --rm $IMG sh -c 'x=$(echo hi); echo "${x}there ${y:-default} ${#x} ${x%i}"'
t run --rm $IMG sh -c 'cat <<EOF
line one
  $HOSTNAME-free $((1+1))
EOF'
t run --rm $IMG sh -c "trap 'echo bye' EXIT; echo hi"
t run --rm $IMG sh -c 'false || echo failed; true && echo ok; ! true; echo $?'
t run --rm $IMG sh -c 'f() { echo "args: $# $1 $2"; return 3; }; f a b; echo "ret $?"'
t run --rm $IMG sh -c 'set -e; echo before; false; echo after'
t run --rm $IMG sh -c 'echo a b c | awk "{print \$2}"; echo "x:y:z" | cut -d: -f2; echo hello | tr a-z A-Z'
t run --rm $IMG sh -c 'printf "%05d|%-4s|%x\n" 42 ab 255; printf "%s\n" one two'
t run --rm $IMG sh -c 'printf "b\na\nc\na\n" | sort | uniq -c; printf "3\n10\n2\n" | sort -n | tr "\n" " "; echo'
t run --rm $IMG sh -c 'echo "foo bar foo" | sed "s/foo/baz/g"; echo abc | grep -c b; echo abc | grep x; echo $?'
t run --rm $IMG sh -c 'expr 3 + 4; basename /a/b.txt .txt; dirname /a/b/c; seq 3 | tr "\n" ,; echo'
t run --rm $IMG sh -c 'mkdir -p /w/a/b && cd /w && touch a/b/f && find . | sort; test -d a && echo dir; [ -f a/b/f ] && echo file'
t run --rm $IMG sh -c 'echo data > /tmp/x; cat /tmp/x /nonexistent; echo "rc=$?"'
t run --rm $IMG sh -c 'ln -s /tmp/target /tmp/l; readlink /tmp/l; cat /tmp/l; echo $?'
t run --rm $IMG sh -c 'stat -c "%a %u %g %F %n" /tmp /etc /bin/sh; chmod 600 /tmp; stat -c %a /tmp'
t run --rm $IMG sh -c 'sleep 1 & echo started; wait; echo done $?'
# (the pause: with `wait` right after `kill`, the real engine races the child's death against the
# wait, and prints "Terminated" only when the child dies while waited for)
t run --rm $IMG sh -c 'sleep 100 & kill $!; sleep 0.3; wait $!; echo "status $?"'
t run --rm $IMG sh -c 'ps -o comm,args; echo; ps -o user,comm,args'
# (not `ps | wc`: the real engine races the pipeline's second fork against ps reading /proc)
t run --rm $IMG sh -c 'echo $$; sh -c "echo \$PPID"; ps -o comm > /tmp/p; wc -l < /tmp/p'
t run --rm $IMG sh -c 'head -c 100 /dev/urandom | wc -c; head -c 5 /dev/zero | od -An -tx1'
t run --rm $IMG sh -c 'ls /nonexistent; echo $?; rmdir /etc; echo $?; mkdir /etc; echo $?'
t run --rm $IMG sh -c 'cd /nonexistent; echo $?'
t run --rm $IMG sh -c 'exit 300'
t run --rm $IMG sh -c 'unknowncmd; echo $?'
t run --rm $IMG sh -c 'echo ${undefined?is unset}'
t run --rm $IMG sh -c 'case abc in a*) echo starts-a;; *) echo other;; esac; for f in /etc/h*; do echo $f; done'
t run --rm $IMG sh -c 'read a b <<EOF
one two three
EOF
echo "[$a][$b]"'
t run --rm $IMG sh -c 'echo one; echo two >&2'
t run --rm $IMG sh -c 'exec 3>/tmp/fd3; echo via3 >&3; exec 3>&-; cat /tmp/fd3'
t run --rm $IMG sh -c 'type echo cd ls; command -v sh; which ls'
t run --rm $IMG sh -c 'hostname | wc -c; cat /etc/hostname | wc -c; uname -s -m'
t run --rm $IMG sh -c 'kill -l | head -3; kill -0 1; echo $?'
t run --rm $IMG sh -c 'echo -n no-newline; echo; echo -e "a\tb"; echo "a\tb"'
t run --rm $IMG sh -c 'echo; ps -o pid,comm,args'
t run --rm $IMG sh -c 'cat /proc/self/comm; tr "\0" " " < /proc/self/cmdline; echo'
t run -d --name sleeper $IMG sh -c 'echo; sleep 3600'
t exec sleeper sh -c 'cat /proc/1/comm; tr "\0" " " < /proc/1/cmdline; echo'
t exec sleeper ps
t rm -f sleeper
