# The environment a process starts with, as /proc/PID/environ shows it: CreateDaemonEnvironment's PATH,
# HOSTNAME and TERM, the container's and an exec's variables, runc's HOME; and the order busybox ash
# passes its exported variables on (its hash table), with SHLVL, IFS and OPTIND as ash's start sets them.
t run --rm -e FOO=1 -e PATH=/bin $IMG cat /proc/1/environ
t run --rm -e FOO=1 -e HOSTNAME=x $IMG cat /proc/self/environ
t run --rm -t -e FOO=1 $IMG cat /proc/1/environ
t run -d --name e1 -e A=1 $IMG sh -c 'sleep 100'
t exec -e B=2 e1 cat /proc/self/environ
t exec -t -e PATH=/x:/bin e1 cat /proc/self/environ
t exec -e HOME=/tmp e1 cat /proc/self/environ
t exec e1 cat /proc/1/environ
t rm -f e1
t run --rm $IMG sh -c 'echo $SHLVL; sh -c "echo \$SHLVL"; cat /proc/self/environ; echo; export ZZ=1 B=2 MAIL=x; cat /proc/self/environ; echo; export -p'
t run --rm -e SHLVL=5 -e TERM=vt100 -e PS1=x -e IFS=: -e OPTIND=3 -e LINENO=1 $IMG sh -c 'echo $SHLVL; cat /proc/self/environ'
t run --rm -e HOSTNAME=h -e HOME=/x -e A=1 -e AA=1 -e Q=1 -e X=1 -e XA=1 $IMG sh -c 'cat /proc/self/environ'
