# Everyday `docker run` / `docker create` flags a tutorial uses: env from the client and from a file,
# workdir, entrypoint, user, hostname, extra hosts and DNS options, labels from a file, stop signal
# and timeout, restart policies, attach, cidfile, and the client's and the engine's errors for them.
# h: a command on the host (what the client wrote).
h() { echo "\$ (host) $*" | normalise; "$@" 2>&1 | normalise; echo "[exit ${PIPESTATUS[0]}]"; }
export RF_FROM_CLIENT=client-value
printf 'A=1\n# a comment\nB=two words\n\nRF_FROM_CLIENT\nRF_NOT_SET\n' >"$HOSTDIR/env.list"
printf 'app=web\n# comment\ntier=back\nflag\n' >"$HOSTDIR/labels.list"
t run --rm -e RF_FROM_CLIENT -e RF_NOT_SET -e EMPTY= $IMG sh -c 'echo "[$RF_FROM_CLIENT][${RF_NOT_SET-unset}][${EMPTY-unset}]"'
t run --rm --env-file "$HOSTDIR/env.list" $IMG sh -c 'echo "[$A][$B][$RF_FROM_CLIENT][${RF_NOT_SET-unset}]"'
t create --name e1 --env-file "$HOSTDIR/env.list" -e A=override -e RF_NOT_SET -e PATH=/bin $IMG true
# the client's order of the list is not fixed: sorted
ts inspect -f '{{range .Config.Env}}{{println .}}{{end}}' e1
t run --rm -w /new/dir $IMG sh -c 'pwd; ls -ld /new/dir | cut -c1-10; ls -ld /new | cut -c1-10'
t run --rm -w relative $IMG pwd
t run --rm -u 1000 -w /made/for/user $IMG sh -c 'pwd; ls -ldn /made/for/user | cut -c1-20; touch f; echo $?'
t run --rm $IMG
t run --rm --entrypoint "" $IMG echo empty entrypoint
t run --rm --entrypoint sh $IMG -c 'echo "$0 via entrypoint"'
t create --name e3 --entrypoint "" $IMG echo x
t inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Path}} {{json .Args}}' e3
t create --name e2 --entrypoint /bin/echo -w /srv -u 1000 -h box1 $IMG a b
t inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{.Config.User}} {{.Config.Hostname}}' e2
t start -a e2
t run --rm --entrypoint /nonexistent $IMG
t run --rm -u nobody $IMG id
t run --rm $IMG sh -c id
t run --rm -u 65534:100 $IMG sh -c id
t run --rm -u 0:0 --group-add 1234 $IMG sh -c 'id; grep Groups /proc/self/status'
t run --rm --group-add audio $IMG true
t run --rm -u nosuchuser $IMG id
t run --rm -u 1000:nosuchgroup $IMG id
t run --rm -h myhost --domainname example.test --network none $IMG sh -c 'hostname; cat /etc/hostname; cat /etc/hosts'
t run --rm --add-host db:10.1.2.3 --add-host cache:10.1.2.4 --network none $IMG cat /etc/hosts
t run --rm --add-host bad $IMG true
t run --rm --add-host gw:host-gateway $IMG sh -c 'grep gw /etc/hosts'
t run --rm --dns 10.0.0.53 --dns-search example.test --dns-option ndots:2 $IMG cat /etc/resolv.conf
t network create rfnet
t run --rm --network rfnet --dns 10.0.0.53 --dns-search example.test --dns-option ndots:3 --dns-option timeout:2 $IMG cat /etc/resolv.conf
t run --rm --network rfnet --dns-option attempts:2 --dns-search a.test $IMG cat /etc/resolv.conf
t create --name d1 --dns 10.0.0.53 --dns-search example.test --dns-option ndots:2 --add-host db:10.1.2.3 $IMG true
t inspect -f '{{json .HostConfig.Dns}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}} {{json .HostConfig.ExtraHosts}}' d1
t run --rm -a stdout $IMG sh -c 'echo out; echo err >&2'
t run --rm -a stderr $IMG sh -c 'echo out; echo err >&2'
t run -d -a stdout $IMG true
t run --name l1 --label a=1 --label b --label-file "$HOSTDIR/labels.list" $IMG true
t inspect -f '{{json .Config.Labels}}' l1
t ps -a --filter label=tier=back --format '{{.Names}} {{.Label "app"}}'
t run -d --name s1 --stop-signal USR1 --stop-timeout 5 $IMG sh -c 'trap "echo got usr1; exit 3" USR1; echo ready; sleep 3600 & wait'
t inspect -f '{{.Config.StopSignal}} {{.Config.StopTimeout}}' s1
t stop s1
t logs s1
t inspect -f '{{.State.ExitCode}}' s1
t run -d --name s4 --stop-timeout 1 $IMG sh -c 'trap "" TERM; echo ignoring; sleep 3600 & wait'
t stop s4
t inspect -f '{{.State.ExitCode}} {{.Config.StopTimeout}}' s4
t create --name s2 --stop-signal NOSUCH $IMG true
t run -d --name s3 --cidfile "$HOSTDIR/cid" $IMG sh -c 'sleep 3600'
h sh -c "cat '$HOSTDIR/cid'; echo"
t run -d --cidfile "$HOSTDIR/cid" $IMG true
t rm -f s1 s3 s4 e1 e2 e3 d1 l1
t network rm rfnet
