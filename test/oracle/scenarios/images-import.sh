# docker import: an exported container's files as a new one-layer image, --change and --message, the
# engine's refusals; and docker pull, which boxlab refuses without asking any registry.
h() { echo "\$ (host) $*" | normalise; "$@" 2>&1 | normalise; echo "[exit ${PIPESTATUS[0]}]"; }
tin() {
  local in=$1; shift; local err; err=$(mktemp)
  echo "\$ cat $in | docker $*" | normalise
  timeout 120 docker "$@" <"$in" 2>"$err" | normalise; local code=${PIPESTATUS[0]}
  [[ -s $err ]] && { echo "[stderr]"; normalise <"$err"; }
  echo "[exit $code]"; rm -f "$err"
}
t run --name c1 $IMG sh -c 'echo hello > /greeting; mkdir -p /data/x; rm /bin/vi'
t export -o $HOSTDIR/c1.tar c1
t import $HOSTDIR/c1.tar imported:1
t images --format '{{.Repository}}:{{.Tag}} {{.Size}}' imported
t image inspect --format '{{json .Config}}|{{.Comment}}|{{.Author}}|{{.Os}}|{{.Architecture}}|{{len .RootFS.Layers}}|{{.DockerVersion}}|{{.Parent}}|{{.Container}}|{{json .ContainerConfig}}' imported:1
t history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}|{{.Size}}' imported:1
t run --rm --pull never imported:1 cat /greeting
t run --rm --pull never imported:1 ls /bin/vi
t run --rm --pull never imported:1
t import --change 'CMD ["cat","/greeting"]' --change 'ENV A=1' --change 'WORKDIR /data' -m 'from c1' $HOSTDIR/c1.tar imported:2
t image inspect --format '{{json .Config}} {{.Comment}}' imported:2
t run --rm --pull never imported:2
t history --format '{{.CreatedBy}}|{{.Comment}}' imported:2
tin $HOSTDIR/c1.tar import - imported:3
t image inspect --format '{{.Comment}}' imported:3
t import $HOSTDIR/nosuch.tar x
t import --change 'BOGUS x' $HOSTDIR/c1.tar x
t import --change 'RUN echo' $HOSTDIR/c1.tar x
t import --change 'STOPSIGNAL 9' $HOSTDIR/c1.tar imported:4
t import --change 'USER nobody' --change 'EXPOSE 80' --change 'LABEL a=b' --change 'VOLUME /v' --change 'ENTRYPOINT ["sh"]' --change 'ONBUILD RUN echo hi' $HOSTDIR/c1.tar imported:4
t image inspect --format '{{json .Config}}' imported:4
t import $HOSTDIR/c1.tar 'Bad:Name'
t import $HOSTDIR/c1.tar
ts images --format '{{.Repository}}:{{.Tag}}'
h sh -c "printf 'not a tar' > $HOSTDIR/junk.tar"
t import $HOSTDIR/junk.tar junk
h sh -c "cd $HOSTDIR && mkdir -p r/etc && echo x > r/etc/f && tar -czf r.tgz -C r . && : > empty.tar"
t import $HOSTDIR/r.tgz gz:1
t image inspect --format '{{.Size}} {{len .RootFS.Layers}}' gz:1
t run --rm --pull never gz:1 cat /etc/f
t import $HOSTDIR/empty.tar empty:1
t image inspect --format '{{.Size}} {{len .RootFS.Layers}}' empty:1
t rmi imported:1 imported:2 imported:3 imported:4
t events --since 0 --until 1 --filter type=image --filter event=import --format "{{.Type}} {{.Action}}"
