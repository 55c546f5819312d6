# More of the container lifecycle: a second start and stop, pause, logs options, ps filters, rename
# and name errors, exec errors, rm of several, wait on a stopped container.
t run -d --name m1 $IMG sh -c 'echo a; echo b; echo c; sleep 3600 & wait'
t start m1
t logs --tail 2 m1
t logs --tail 0 m1
t pause m1
t ps --format '{{.Names}} {{.Status}}' --filter status=paused
t exec m1 true
t unpause m1
t exec m1 sh -c 'echo $HOSTNAME | wc -c'
t exec -w /srv/site m1 pwd
t exec -e A=1 -e B=2 m1 sh -c 'echo $A$B'
t exec m1 sh -c 'exit 42'
t exec m1 /etc/motd
t exec m1 /nonexistent
t rename m1 m1
t create --name m2 $IMG true
t rename m2 m1
t rename m2 -bad
t create --name m2 $IMG true
t ps -a --format '{{.Names}} {{.Command}} {{.State}}' --filter name=m2
t start -a m2
t wait m2
t inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' m2
t stop m2
t kill m2
t stop -t 1 m1
t inspect -f '{{.State.Status}} {{.State.ExitCode}}' m1
t ps -a --format '{{.Names}}' --filter exited=137
t rm m1 m2 nosuch
t run --rm $IMG sh -c 'echo out; echo err >&2; exit 3'
t run --name x $IMG true
t run --rm --entrypoint /bin/echo $IMG hello entry
t run --rm -w /app $IMG sh -c 'pwd; ls'
t run --rm -u 1000:1000 $IMG sh -c 'id -u 2>/dev/null || echo no-id; touch /root-owned 2>&1; echo $?'
t run --rm --hostname h1 $IMG cat /etc/hostname
t run --rm $IMG sh -c 'ls -a / | head -n 3; readlink /etc/mtab'
t run --rm $IMG sh -c 'cat /.dockerenv; echo [$?]'
