# save and load through the API: several images, by ID, to stdout, and what load says about bad archives.
t tag $IMG keep/a:1
t tag $IMG keep/b:2
t save -o "$HOSTDIR/two.tar" keep/a:1 keep/b:2
t save -o "$HOSTDIR/byid.tar" c58734b4a229
t save -o "$HOSTDIR/nosuch.tar" nosuch:1
t save -o "$HOSTDIR/mixed.tar" keep/a:1 nosuch:1
t rmi keep/a:1 keep/b:2 $IMG
t images
t load -i "$HOSTDIR/two.tar"
ts images --format '{{.Repository}}:{{.Tag}}'
t load -i "$HOSTDIR/two.tar"
t rmi -f c5873
t load -i "$HOSTDIR/byid.tar"
t images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
t load -q -i "$IMAGE_TAR"
t image inspect -f '{{.Id}} {{json .RepoTags}}' $IMG
