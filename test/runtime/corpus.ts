/**
 * Shell scripts run by the real busybox sh and by the model's, for the differential test. Each runs
 * in a directory holding `files`; output is compared byte for byte (the directory's path aside).
 */

export interface Case {
  name: string;
  script: string;
  files?: Record<string, string>;
  /** Executable files (mode 0755). */
  exec?: Record<string, string>;
}

const FILES = { 'a.txt': 'alpha\nbeta\ngamma\n', 'b.txt': 'one\ntwo\n', 'dir/c.log': 'c\n', 'dir/d.log': 'd\n', '.hidden': 'h\n' };

export const CORPUS: Case[] = [
  // words, quoting, expansion
  { name: 'echo and quoting', script: `echo a   b "c   d" 'e   f' g\\ h "$HOME" '$HOME'` },
  { name: 'echo -n -e', script: `echo -n x; echo -e 'a\\tb\\nc'; echo -e 'stop\\cnot'; echo 'a\\nb'` },
  { name: 'parameter defaults', script: 'unset x; echo ${x-d} ${x:-e} ${x=f} $x; y=; echo "[${y-u}]" "[${y:-n}]" ${y:+set} ${x:+set}' },
  { name: 'parameter trimming', script: 'p=/a/b/c.tar.gz; echo ${p##*/} ${p%/*} ${p#*/} ${p%%.*} ${p%.*} ${#p}' },
  { name: 'parameter error', script: 'echo start; echo ${nope?is missing}; echo never' },
  { name: 'parameter null error', script: 'x=; echo ${x:?}; echo never' },
  { name: 'set -u', script: 'set -u; echo ok; echo $undefined_var; echo never' },
  { name: 'positional parameters', script: 'set -- "a b" c d; echo $# "$1" "$*"; for i in "$@"; do echo "[$i]"; done; shift 2; echo "$@" $#' },
  { name: 'field splitting', script: 'x="  a  b "; for i in $x; do echo "[$i]"; done; IFS=:; y=a:b::c; for i in $y; do echo "<$i>"; done' },
  { name: 'empty "$@"', script: 'for i in "$@"; do echo x; done; echo "[$@]" "[$*]" $#' },
  { name: 'arithmetic', script: 'i=5; echo $((i*2+1)) $((i/2)) $((i%3)) $((-7/2)) $((1<<4)) $((0x1f)) $((010)) $((2#101)) $((i>3 ? 10 : 20))' },
  { name: 'arithmetic assignment', script: 'i=1; : $((i+=4)) $((j=i*2)); echo $i $j $((i++)) $i $((--i))' },
  { name: 'divide by zero', script: 'echo before; echo $((1/0)); echo after' },
  { name: 'command substitution', script: 'x=$(echo hi; echo there); echo "$x"; y=`echo back`; echo $y; echo $(echo $(echo nested))' },
  { name: 'substitution strips newlines', script: 'x=$(printf "a\\n\\n\\n"); echo "[$x]"' },
  { name: 'substitution status', script: 'x=$(exit 3); echo $?; x=$(false) y=1; echo $?' },
  { name: 'tilde', script: 'echo ~ ~/x a~ "~"' },
  { name: 'globbing', script: 'echo *.txt; echo dir/*; echo *.none; echo .h*; echo "*.txt"; set -f; echo *.txt', files: FILES },
  { name: 'glob brackets', script: 'echo [ab].txt; echo [!a].txt; echo ?.txt', files: FILES },
  // redirections
  { name: 'redirect out and append', script: 'echo one > f; echo two >> f; cat f; echo three > f; cat f' },
  { name: 'redirect in', script: 'cat < a.txt; read first < a.txt; echo "$first"', files: FILES },
  { name: 'stderr to stdout', script: 'cat nofile 2>&1; echo err >&2; (echo x; echo y >&2) 2>&1 | cat' },
  { name: 'missing input file', script: 'cat < nofile; echo $?' },
  { name: 'create in a missing directory', script: 'echo x > nodir/f; echo $?' },
  { name: 'bad descriptor', script: 'echo a >&5; echo $?' },
  { name: 'here-document', script: 'cat <<EOF\nhello $HOME\n$(echo sub) `echo bq` \\$x\nEOF\necho after' },
  { name: 'quoted here-document', script: "cat <<'EOF'\n$HOME `x` \\n\nEOF" },
  { name: 'here-document with tabs', script: 'cat <<-EOF\n\tindented\n\t\tmore\n\tEOF\necho done' },
  { name: 'here-document into read', script: 'read a b <<EOF\none two three\nEOF\necho "$a|$b"' },
  { name: 'exec makes redirections the shell\'s own', script: 'exec 3>f; echo via3 >&3; exec 3>&-; cat f; exec 4<a.txt; read l <&4; echo "$l"; echo x >&3; echo $?', files: FILES },
  { name: 'redirect a compound command', script: '{ echo a; echo b; } > out; cat out; for i in 1 2; do echo $i; done > out2; cat out2' },
  // pipelines and status
  { name: 'pipeline', script: 'cat a.txt | cat | cat', files: FILES },
  { name: 'pipeline status', script: 'true | false; echo $?; false | true; echo $?; ! true; echo $?; ! false | false; echo $?' },
  { name: 'head closes the pipe', script: 'yes | head -n 3; echo $?' },
  { name: 'SIGPIPE status', script: 'yes | head -n 1 >/dev/null; for i in 1 2 3; do echo $i; done | head -n 1' },
  { name: 'subshell isolation', script: 'x=1; (x=2; echo $x); echo $x; (exit 4); echo $?' },
  { name: 'brace group', script: 'x=1; { x=2; echo $x; }; echo $x' },
  // control flow
  { name: 'if elif else', script: 'for v in 1 2 3; do if [ $v = 1 ]; then echo one; elif [ $v = 2 ]; then echo two; else echo other; fi; done' },
  { name: 'while and until', script: 'i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo w$i; done; until [ $i -eq 0 ]; do i=$((i-1)); echo u$i; done' },
  { name: 'break and continue', script: 'for x in 1 2 3; do for y in a b c; do [ $y = b ] && continue; [ $x = 2 ] && break 2; echo $x$y; done; done; echo end' },
  { name: 'case patterns', script: 'for w in apple banana cherry x.c "a b"; do case $w in a*) echo A;; b*|c*) echo BC;; *.c) echo C;; "a b") echo space;; *) echo other;; esac; done' },
  { name: 'and or', script: 'true && echo a; false && echo b; false || echo c; true || echo d; false || false && echo e; echo $?' },
  { name: 'functions', script: 'f() { echo "f:$1:$#"; return 3; }; f x y; echo $?; g() { local v=in; echo $v; }; v=out; g; echo $v' },
  { name: 'function recursion', script: 'fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 6' },
  { name: 'return status', script: 'f() { false; }; f; echo $?; g() { return 300; }; g; echo $?' },
  { name: 'exit status', script: 'echo before; exit 7; echo after' },
  { name: 'exit in subshell', script: '(exit 300); echo $?; (false); echo $?' },
  { name: 'set -e', script: 'set -e; echo a; false; echo never' },
  { name: 'set -e exemptions', script: 'set -e; false || true; if false; then :; fi; ! true; false && true; while false; do :; done; echo still; (false); echo never' },
  { name: 'set -x', script: 'set -x; echo "a b" c; x=1' },
  { name: 'eval', script: 'cmd="echo evaluated"; eval $cmd; eval "x=5"; echo $x; eval "echo \\$x"' },
  { name: 'eval syntax error', script: 'eval "if"; echo never' },
  { name: 'read loop', script: 'while read line; do echo "got $line"; done < a.txt', files: FILES },
  { name: 'read -r and IFS', script: 'printf "a\\\\b c\\n" | { read -r x y; echo "$x|$y"; }; echo "k=v" | { IFS== read k v; echo $k $v; }' },
  { name: 'export to children', script: `export A=1; B=2; sh -c 'echo "A=$A B=$B"'; C=3 sh -c 'echo C=$C'; env -i X=1 env` },
  { name: 'unset and readonly', script: 'x=1; unset x; echo "[${x-unset}]"; readonly r=1; r=2; echo never' },
  { name: 'printf', script: 'printf "%s-%d-%5.2f|%x|%o|%c|%%|%b\\n" a 42 3.14159 255 8 xyz "q\\tz"; printf "%s\\n" a b c; printf "%3s|%-3s|%03d\\n" a b 7' },
  { name: 'printf bad number', script: 'printf "%d\\n" abc; echo $?' },
  { name: 'test and [', script: '[ 1 -lt 2 ] && echo lt; [ abc = abc ] && echo eq; [ -n "" ] || echo empty; [ -f a.txt ] && echo file; [ -d dir ] && echo dir; [ ! -e nope ] && echo none; test 3 -ge 3 -a 2 -ne 1 && echo and', files: FILES },
  { name: 'test errors', script: '[ 1 -eq a ]; echo $?; [ 1 = 1; echo $?' },
  { name: 'cd and pwd', script: 'cd dir; pwd; cd ..; cd nodir; echo $?; cd -; pwd', files: FILES },
  // commands
  { name: 'not found', script: 'nosuchcommand; echo $?; ./nofile; echo $?' },
  { name: 'permission denied', script: './plain; echo $?; subdir; echo $?; ./subdir; echo $?', files: { plain: 'echo hi\n', 'subdir/x': '' } },
  { name: 'sleep as a background job', script: 'sleep 5 & sleep 1 & kill $!; wait; echo $?; sleep 5 & kill $!; sleep 0.1; echo x; wait $!; echo $?' },
  { name: 'type and command -v', script: 'f() { :; }; type f echo cd; command -v echo; command -v nosuch; echo $?' },
  { name: 'syntax error at the end', script: 'echo first\nif true; then\necho x' },
  { name: 'syntax error unexpected', script: 'echo a; fi' },
  { name: 'syntax error on a later line', script: 'echo line1\necho line2 )\necho line3' },
  { name: 'line numbers in messages', script: 'true\ncd /nonexistent\nexit foo' },
  // signals, traps, jobs
  { name: 'trap on TERM to self', script: "trap 'echo caught; exit 9' TERM; kill -TERM $$; echo not reached" },
  { name: 'trap runs after a foreground sleep', script: "trap 'echo t' TERM; (sleep 0.2; kill -TERM $$) & sleep 0.6; echo done $?" },
  { name: 'trap interrupts wait', script: "trap 'echo t' TERM; (sleep 0.2; kill -TERM $$) & sleep 2 & wait; echo done $?; kill $! 2>/dev/null" },
  { name: 'EXIT trap', script: "trap 'echo exiting $?' EXIT; echo body; false" },
  { name: 'EXIT trap with exit', script: "trap 'echo bye' EXIT; exit 3" },
  { name: 'trap listing and reset', script: "trap 'echo a' TERM EXIT; trap '' INT; trap; trap - TERM; trap; trap - EXIT INT" },
  { name: 'ignored signal', script: "trap '' USR1; kill -USR1 $$; echo survived" },
  { name: 'default signal kills a child', script: 'sleep 5 & pid=$!; kill $pid; wait $pid; echo $?' },
  { name: 'kill -9 status and message', script: 'sh -c "kill -9 \\$\\$"; echo $?; sh -c "kill \\$\\$"; echo $?' },
  { name: 'background jobs and wait', script: 'echo a > o1 & echo b > o2 & wait; cat o1 o2; (exit 5) & wait $!; echo $?' },
  { name: 'wait for unknown pid', script: 'wait 99999; echo $?' },
  { name: 'kill errors', script: 'kill -9; echo $?; kill 99999; echo $?; kill -FOO 1; echo $?' },
  { name: 'kill -l', script: 'kill -l 15; kill -l TERM; kill -l 137' },
  { name: 'kill -l lists every signal', script: 'kill -l | head -40' },
  { name: 'subshell keeps $$', script: 'a=$$; b=$(echo $$); (c=$$; [ $a = $c ] && echo same); [ $a = $b ] && echo same2' },
  { name: 'sleep argument errors', script: 'sleep x; echo $?; sleep 0.1s; echo $?' },
  { name: 'cat errors', script: 'cat a.txt nofile b.txt; echo $?; cat dir; echo $?', files: FILES },
  { name: 'script file', script: 'printf "echo in script \\$0 \\$1\\ncd /nonexistent\\nexit 4\\n" > s.sh; sh s.sh arg; echo $?' },
  { name: 'dot', script: 'echo "v=sourced" > inc.sh; . ./inc.sh; echo $v; . ./nofile; echo never' },
  { name: 'shift too far', script: 'set -- a; shift 3; echo $? $#' },
  { name: 'local outside a function', script: 'local x=1; echo never' },
  // ulimit: the limits the shell inherited (this host's, in both), shown and set as ash does
  { name: 'ulimit -a table, soft and hard', script: 'ulimit -a; ulimit -Ha; ulimit -a -n' },
  { name: 'ulimit one value, several labelled, default -f', script: 'ulimit -n; ulimit -u; ulimit -s; ulimit -c; ulimit; ulimit -H; ulimit -n -u; ulimit -Hn; ulimit -n -H' },
  { name: 'ulimit lowers soft, hard or both', script: 'ulimit -Sn 50; ulimit -Sn; ulimit -Hn; ulimit -c 10; ulimit -c; ulimit -Hc; ulimit -s 100; ulimit -s; ulimit 1000; ulimit -f; ulimit -n 60; ulimit -Hn; ulimit -c 0 -n' },
  { name: 'ulimit errors', script: 'ulimit -n abc; echo $?; ulimit -n 12abc; echo $?; ulimit -R; echo $?; ulimit -n -5; echo $?; ulimit -Hn 5; echo $?; ulimit -n 99999999; echo $?; ulimit -Sn 30000000; echo $?' },
  { name: 'ulimit inherited by a child shell', script: 'ulimit -n 77; sh -c "ulimit -n"; (ulimit -n 66; ulimit -n); ulimit -n' },
];
