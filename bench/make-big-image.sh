#!/bin/sh
# usage: bench/make-big-image.sh [DIR] -- writes DIR/big.tar (default /tmp/boxlab-big-export).
# A docker-save archive of one layer holding one 1 GiB file (pseudo-random, so nothing compresses it away)
set -e
OUT=${1:-/tmp/boxlab-big-export}; mkdir -p "$OUT"; cd "$OUT"
rm -rf l root && mkdir -p l/l0 root/data
head -c 1073741824 /dev/urandom > root/data/big.bin
echo hi > root/data/small.txt
tar -C root --owner=0 --group=0 --numeric-owner -cf l/l0/layer.tar data
D=$(sha256sum l/l0/layer.tar | cut -d' ' -f1)
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$D" > cfg.json
C=$(sha256sum cfg.json | cut -d' ' -f1)
mv cfg.json l/$C.json
printf '[{"Config":"%s.json","RepoTags":["big:latest"],"Layers":["l0/layer.tar"]}]' "$C" > l/manifest.json
tar -C l -cf big.tar .
rm -rf l root
ls -la big.tar
