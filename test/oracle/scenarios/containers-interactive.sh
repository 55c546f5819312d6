# docker cp both ways (created, running and stopped containers, errors, symlinks that stay inside the
# container), stdin piped with -i (no terminal), and docker rmi / image prune of an image in use.
# h: a command on the host (what docker cp wrote); tin INPUT ARGS: a step whose stdin is INPUT.
h() { echo "\$ (host) $*" | normalise; "$@" 2>&1 | normalise; echo "[exit ${PIPESTATUS[0]}]"; }
tin() {
  local in=$1; shift; local err; err=$(mktemp)
  echo "\$ printf '$in' | docker $*" | normalise
  printf "$in" | timeout 120 docker "$@" 2>"$err" | normalise; local code=${PIPESTATUS[1]}
  [[ -s $err ]] && { echo "[stderr]"; normalise <"$err"; }
  echo "[exit $code]"; rm -f "$err"
}
mkdir -p "$HOSTDIR/src/sub"; printf 'top\n' >"$HOSTDIR/src/top.txt"; printf 'deep\n' >"$HOSTDIR/src/sub/deep.txt"
t create --name cp1 $IMG sh -c 'sleep 3600'
t cp cp1:/etc/motd "$HOSTDIR/motd"
h cat "$HOSTDIR/motd"
t cp "$HOSTDIR/src" cp1:/srcdir
t cp "$HOSTDIR/src/top.txt" cp1:/etc/
t start cp1
t exec cp1 sh -c 'find /srcdir | sort; cat /srcdir/sub/deep.txt /etc/top.txt'
t cp cp1:/srcdir "$HOSTDIR/back"
h sh -c "cd '$HOSTDIR/back' && find . | sort && cat sub/deep.txt"
t cp cp1:/etc/hostname "$HOSTDIR/hn"
h cat "$HOSTDIR/hn"
t cp cp1:/etc/mtab "$HOSTDIR/mtab"
h readlink "$HOSTDIR/mtab"
t cp cp1:/nosuch "$HOSTDIR/x"
t cp nosuch:/x "$HOSTDIR/x"
t cp "$HOSTDIR/src/top.txt" cp1:/nodir/y
t cp "$HOSTDIR/src/top.txt" cp1:/etc/motd/x
t cp cp1:/etc/mtab/ "$HOSTDIR/m"
t exec cp1 ln -s /../../.. /up
t cp "$HOSTDIR/src/top.txt" cp1:/up/
t exec cp1 cat /top.txt
t stop -t 0 cp1
t cp "$HOSTDIR/src/top.txt" cp1:/after.txt
t cp cp1:/after.txt "$HOSTDIR/after.txt"
h cat "$HOSTDIR/after.txt"
t start cp1
t exec cp1 cat /after.txt
ts diff cp1
tin 'hi\nthere\n' run --rm -i $IMG cat
tin 'echo out; echo err >&2; exit 4\n' run --rm -i $IMG sh
tin 'x\n' run --rm $IMG cat
tin 'a b c\n' exec -i cp1 sh -c 'wc -w; echo done'
t tag $IMG x:1
t rmi x:1
t tag $IMG x:1
t rmi c58734b4a229
t rmi -f c58734b4a229
t rmi x:1
t rmi $IMG
t rm -f cp1
t create --name st1 $IMG echo started
t rmi c58734b4a229
t image prune -af
t rmi -f $IMG
t images -a
t ps -a --format '{{.Names}} {{.Image}}'
t start -a st1
t rm st1
