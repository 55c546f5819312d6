# --volumes-from: a container takes every volume and bind of another (moby registerMountPoints), read-
# write as they were unless :ro, shown in inspect's Mounts; a bind or -v at the same path replaces the
# inherited one; a missing container and bad modes are refused in the engine's words; rm -v leaves a
# volume the other container still uses.
t create --name src1 -v /anon -v named1:/named -v $HOSTDIR:/host:ro $IMG true
t run --rm --volumes-from src1 $IMG sh -c 'echo hi > /anon/a; echo yo > /named/n; cat /anon/a /named/n; touch /host/x'
t run --rm --volumes-from src1:ro $IMG sh -c 'cat /anon/a; echo no > /named/n'
t create --name ro1 --volumes-from src1:ro $IMG true
ts inspect -f '{{range .Mounts}}{{.Type}} {{.Destination}} {{.Mode}} {{.RW}} {{.Propagation}}{{println}}{{end}}' ro1
t inspect -f '{{.HostConfig.VolumesFrom}}' ro1
t create --name rw1 --volumes-from src1 -v other:/named $IMG true
t inspect -f '{{range .Mounts}}{{if eq .Destination "/named"}}{{.Name}} {{.RW}}{{end}}{{end}}' rw1
t inspect -f '{{range .Mounts}}{{if eq .Destination "/host"}}{{.Type}} {{.RW}} {{.Mode}}{{end}}{{end}}' rw1
t create --volumes-from nope $IMG true
t create --volumes-from src1:bogus $IMG true
t create --volumes-from src1:nocopy $IMG true
t create --volumes-from src1:ro,rw $IMG true
t rm -v ro1 rw1
t run --rm --volumes-from src1 $IMG cat /anon/a
t rm -v src1
t volume ls -q
