# system df, image prune, the daemon's version and info, and the events a session of image verbs makes.
t version --format '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}} {{.Server.Arch}}'
t info --format '{{.Images}} {{.Containers}} {{.Driver}} {{.OSType}}'
t system df
t system df --format '{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}'
t tag $IMG p/q:1
t image prune -f
ts images --format '{{.Repository}}:{{.Tag}}'
t image prune -af
t images
t system df
t load -q -i "$IMAGE_TAR"
t tag $IMG e/v:1
t rmi e/v:1
# the docker CLI sends `--until 0s` as whole seconds: let the second of these events end first, so
# that neither engine's answer depends on where a second boundary falls
sleep 1.1
ts events --since 1h --until 0s --filter type=image --format '{{.Type}} {{.Action}}'
t events --since 1h --until 0s --filter event=tag --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'
t events --since 1h --until 0s --filter image=e/v:1 --format '{{.Action}}'
t events --since 1h --until 0s --filter type=container
