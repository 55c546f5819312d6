# What a container sees of the kernel: /proc, /sys, namespaces and their sharing, cgroup limits, stats.
# Namespace numbers, pids and paths of the data root differ by nature: sed masks them.
NS='s/[0-9]{10}/N/'
t run -d --name k1 --memory 64m --cpus 1.5 --cpu-shares 512 --pids-limit 20 $IMG sh -c 'sleep 3600'
t exec k1 sh -c "for n in cgroup ipc mnt net pid pid_for_children time time_for_children user uts; do readlink /proc/self/ns/\$n; done | sed -E '$NS'"
t exec k1 sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; cat /proc/1/comm'
t exec k1 sh -c 'sed -n "1p;3p;7p" /proc/1/status'
t exec k1 sh -c 'ls /proc | grep -v "^[0-9]"'
t exec k1 sh -c 'ls /sys /sys/fs/cgroup'
t exec k1 sh -c 'sed 1d /proc/mounts'
t exec k1 sh -c 'mount | sed 1d | head -n 8'
t exec k1 sh -c 'readlink /proc/mounts; readlink /etc/mtab; sed -n 2p /etc/mtab'
t exec k1 sh -c 'df | awk "{print \$1, \$NF}"; df -h /dev/shm | tail -n 1 | cut -c1-20,58-'
t exec k1 sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares pids/pids.max'
t exec k1 sh -c 'sed -E "s/[0-9a-f]{64}/ID/" /proc/self/cgroup'
t exec k1 sh -c 'cat /proc/1/cgroup | wc -l; ls /sys/fs/cgroup/pids'
t inspect k1 --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} [{{.HostConfig.PidMode}}] {{.HostConfig.IpcMode}} [{{.HostConfig.UTSMode}}] {{.HostConfig.CgroupnsMode}}'
t run --rm $IMG sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us pids/pids.max'
t run --rm --memory 32m --memory-swap -1 $IMG cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes
t run --rm --pids-limit 3 $IMG sh -c 'sleep 100 & sleep 100 & echo x | cat; echo never'
t run --name oom --memory 8m --memory-swap 8m --tmpfs /t $IMG sh -c 'head -c 20000000 /dev/zero > /t/f; echo never'
t inspect oom --format '{{.State.OOMKilled}} {{.State.ExitCode}}'
t run -d --name k2 --ipc=shareable $IMG sh -c 'sleep 3600'
t run --rm --ipc=container:k1 $IMG true
# a joined namespace is the donor's (its number, and for IPC its /dev/shm); numbers masked
t exec k2 sh -c 'readlink /proc/self/ns/ipc > /dev/shm/ipc'
t run --rm --ipc=container:k2 $IMG sh -c '[ "$(readlink /proc/self/ns/ipc)" = "$(cat /dev/shm/ipc)" ] && echo same ipc; sed -n /shm/p /proc/mounts'
t run --rm --pid=container:k2 $IMG sh -c '[ "$(readlink /proc/self/ns/pid)" = "$(readlink /proc/1/ns/pid)" ] && echo same pid; cat /proc/1/cmdline; echo'
t exec k2 sh -c "readlink /proc/self/ns/uts | sed -E '$NS'"
t run --rm --pid=host --uts=host $IMG sh -c "readlink /proc/self/ns/pid; readlink /proc/self/ns/uts; readlink /proc/self/ns/mnt | sed -E '$NS'"
t create --name k3 --pid=container:nosuch $IMG true
t create --name k4 --pid=host --uts=host --ipc=container:k2 $IMG true
t inspect k4 --format '{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}'
t stats --no-stream --format '{{.Name}} {{.PIDs}}' k1 k2
t exec k1 sh -c 'sleep 100 & sleep 100 & cat /sys/fs/cgroup/pids/pids.current'
t rm -f k1 k2 k4 oom
