# More `docker run` flags: restart policies and their errors, --init, capabilities and --privileged,
# /dev/shm size, sysctls, a read-only root with tmpfs, the none log driver, names and unknown flags.
t run --rm --restart=always $IMG true
t run -d --restart=always:3 $IMG true
t run -d --restart=bogus $IMG true
t create --name r1 --restart=on-failure:3 $IMG true
t create --name r2 --restart=unless-stopped $IMG true
t inspect -f '{{json .HostConfig.RestartPolicy}}' r1 r2
t run --rm --init $IMG sh -c 'cat /proc/1/comm; tr "\0" " " </proc/1/cmdline; echo'
t run --rm --init $IMG sh -c 'echo $PPID; cat /proc/$PPID/comm'
t run -d --name i2 --init $IMG sh -c 'sleep 3600'
t stop i2
t inspect -f '{{.State.ExitCode}}' i2
t create --name i1 --init $IMG true
t inspect -f '{{.HostConfig.Init}} {{.Path}} {{json .Args}}' i1
t run --rm $IMG sh -c 'grep Cap /proc/self/status'
t run --rm --cap-drop ALL $IMG sh -c 'grep CapEff /proc/self/status'
t run --rm --cap-drop ALL --cap-add NET_BIND_SERVICE --cap-add CAP_CHOWN $IMG sh -c 'grep CapEff /proc/self/status'
t run --rm --cap-drop NET_RAW $IMG sh -c 'grep CapEff /proc/self/status; ping -c 1 127.0.0.1 >/dev/null; echo $?'
t run --rm --cap-add BOGUS $IMG true
t create --name c1 --cap-add NET_ADMIN --cap-drop MKNOD --privileged $IMG true
t inspect -f '{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}} {{.HostConfig.Privileged}}' c1
t run --rm --shm-size 128m $IMG sh -c 'df -k /dev/shm | tail -n 1 | awk "{print \$1, \$2, \$NF}"'
t run --rm --shm-size 1k $IMG true
t create --name m1 --shm-size 100m --memory 64m --memory-reservation 32m --pids-limit 50 --cpus 0.5 $IMG true
t inspect -f '{{.HostConfig.ShmSize}} {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' m1
t run --rm --memory 1m $IMG true
t create --name sc --sysctl net.ipv4.ip_forward=1 --sysctl net.core.somaxconn=1024 $IMG true
t inspect -f '{{json .HostConfig.Sysctls}}' sc
t run --rm --sysctl kernel.nosuch=1 $IMG true
t run --rm --sysctl bogus $IMG true
t run --rm --read-only --tmpfs /run --tmpfs /data:size=1m $IMG sh -c 'touch /x; echo $?; touch /run/x /data/y && echo tmp ok'
t run --rm --read-only $IMG sh -c 'grep " / " /proc/mounts | cut -d" " -f3,4 | cut -c1-9'
t create --name ro --read-only --tmpfs /run:rw,noexec $IMG true
t inspect -f '{{.HostConfig.ReadonlyRootfs}} {{json .HostConfig.Tmpfs}}' ro
t run --name ln --log-driver none $IMG echo not-logged
t logs ln
t inspect -f '{{.HostConfig.LogConfig.Type}}' ln
t run --rm --log-driver bogus $IMG true
t run --name 'bad name!' $IMG true
t create --name /slashed $IMG true
t ps -a --filter name=slashed --format '{{.Names}}'
t run --bogus $IMG true
t run --rm -a stdout -d $IMG true
t run --rm -p 80 --network none $IMG true
t create --network host -h nope $IMG true
t run
t rm -f r1 r2 i1 i2 c1 m1 sc ro ln slashed
