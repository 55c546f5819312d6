# `docker images` filters as the daemon applies them: reference, dangling, before, since, label, and bad ones.
t tag $IMG app/one:1
t tag $IMG app/two:2
t tag $IMG other:3
ts images --filter reference='app/*' --format '{{.Repository}}:{{.Tag}}'
ts images --filter reference='*:3' --format '{{.Repository}}:{{.Tag}}'
ts images --filter reference=app/one --filter reference=other --format '{{.Repository}}:{{.Tag}}'
t images --filter reference='nomatch*' --format '{{.Repository}}:{{.Tag}}'
t images --filter dangling=true
ts images --filter dangling=false --format '{{.Repository}}:{{.Tag}}'
t images --filter dangling=maybe
t images --filter nosuch=1
t images --filter before=$IMG
t images --filter since=$IMG
t images --filter before=nosuch
t images --filter since=nosuch:1
t images --filter label=x
t images --filter label=x=y
ts images -a --format '{{.Repository}}:{{.Tag}}'
ts images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}'
t images --format '{{json .Containers}} {{.SharedSize}} {{.UniqueSize}} {{.VirtualSize}} {{.CreatedSince}}' other
t images --format '{{.Repository}}:{{.Tag}}' other:3 app/one:1
