# Everyday container commands a Docker user types: inspect templates, labels and filters, env and
# HOME as runc sets them, exec as a user the image lacks, name conflicts, restart and logs, cp, prune.
t run -d --name web --label tier=front -e GREETING=hi $IMG sh -c 'echo started; sleep 3600'
t inspect -f '{{.Path}} {{json .Args}} {{.Name}} {{.State.Running}} {{.RestartCount}}' web
t inspect -f '{{json .Config.Cmd}} {{json .Config.Labels}} {{.HostConfig.RestartPolicy.Name}}' web
t inspect -f '{{range .Config.Env}}{{println .}}{{end}}' web
t ps --filter label=tier=front --format '{{.Names}} {{.Labels}}'
t ps -q --no-trunc --filter name=web
t exec web env
t exec web sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo'
t exec -u nobody web id
t exec web sh -c 'echo $HOME $PATH'
t run --name web $IMG true
t logs web
t restart -t 1 web
t logs web
t inspect -f '{{.RestartCount}} {{.State.Status}}' web
t cp web:/etc/hostname $HOSTDIR/hostname
t run --rm $IMG sh -c 'echo one > /tmp/f; cat /tmp/f; ls -l /tmp/f | cut -c1-10'
t run --rm -e X -e Y=2 $IMG sh -c 'echo "[$X][$Y]"'
t run --rm --env-file /nonexistent $IMG true
t run --rm $IMG sh -c 'echo $0 $$ $PPID'
t run --rm $IMG nosuchcommand
t run --rm $IMG /etc
t run --rm $IMG sh -c 'kill -TERM $$; echo after'
t container ls -a --format '{{.Names}}\t{{.Status}}' --filter status=exited
t container prune -f
t stop web
t start web
t ps --format '{{.Names}} {{.Command}}' --no-trunc
t rm web
t rm -f web
t inspect web
t logs web
