# Volumes beyond the basics: labels and filters, anonymous volumes and rm -v / --rm, prune, read-only
# volumes, binds and root filesystems, tmpfs sizes and modes, the engine's refusals, inspect of a volume.
t volume create --label env=prod --label tier vol-p
t volume create --label env=dev vol-d
t volume inspect vol-p
t volume create bad/name
t volume create x
t volume inspect nope
t volume rm nope
t volume rm -f nope
t run --name anon1 -v /anon $IMG sh -c 'echo kept > /anon/f; cat /anon/f'
t volume ls -f dangling=true --format '{{.Name}}'
t volume ls -f dangling=false --format '{{.Driver}} {{.Scope}}'
t volume ls -f label=env --format '{{.Name}} {{.Label "env"}}'
t volume ls -f label=env=dev --format '{{.Name}}'
t volume ls -f name=vol- -f driver=local --format '{{.Name}}'
t volume ls -f name=p --format '{{.Name}}'
t volume ls -f bogus=1
t volume ls -f dangling=maybe
t rm -v anon1
t volume ls -f dangling=false -q
t run --rm -v /anon2 -v vol-d:/d $IMG sh -c 'echo x > /anon2/y; echo z > /d/z'
t volume ls --format '{{.Name}}'
t run --rm -v vol-d:/d:ro $IMG sh -c 'cat /d/z; rm /d/z'
t run --rm --read-only $IMG sh -c 'touch /x; mkdir /y; echo a > /etc/hosts; cat /srv/site/index.html'
t run --rm --read-only --tmpfs /tmp $IMG sh -c 'echo ok > /tmp/a; cat /tmp/a'
t run --rm --mount type=tmpfs,dst=/t,tmpfs-size=4096 $IMG sh -c 'echo 12345 > /t/a; wc -c /t/a; ls -a /t'
t run --rm --mount type=tmpfs,dst=/t,tmpfs-mode=1770 $IMG sh -c 'stat -c "%a %U" /t'
t run --rm --tmpfs /t:size=1k,mode=700 $IMG sh -c 'stat -c %a /t; echo 12345 > /t/a; wc -c /t/a'
t run --rm --mount type=bind,src=$HOSTDIR,dst=/b,readonly $IMG sh -c 'echo no > /b/f'
t run --rm --mount type=bind,src=$HOSTDIR,dst=/b $IMG sh -c 'echo yes > /b/f; cat /b/f'
t run --rm -v $HOSTDIR:/b:ro $IMG sh -c 'cat /b/f; mkdir /b/d; ls /b'
t run --rm -v $HOSTDIR/made/here:/m $IMG sh -c 'echo in > /m/x'
t run --rm -v $HOSTDIR/made:/m:ro $IMG cat /m/here/x
t run --rm -v x:/a:bogus $IMG true
t run --rm -v vol-d:/a --tmpfs /a $IMG true
t run --rm --mount type=tmpfs,src=x,dst=/t $IMG true
t run --rm --mount type=bind,dst=/t $IMG true
t run --rm -v /x:relative $IMG true
t create --name c2 -v vol-p:/srv/site $IMG true
t volume rm vol-p
t inspect -f '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.Mode}} {{.RW}} {{.Propagation}}{{end}}' c2
t run --rm -v vol-p:/srv/site $IMG ls /srv/site
t rm c2
t inspect -f '{{.Name}} {{.Driver}} {{.Scope}} {{.Mountpoint}}' vol-p
ts volume prune -f
t volume ls
t volume create last
t run --rm -v last:/v $IMG sh -c 'echo 1234 > /v/f'
t system df
t system df -v --format '{{range .Volumes}}{{.Name}} {{.Links}} {{.Size}}{{println}}{{end}}'
