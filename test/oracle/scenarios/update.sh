# docker update: new limits and restart policy, the engine's checks and words, live cgroup limits.
t update --restart=always nosuch
t create --name u1 $IMG sh -c 'sleep 3600'
t update u1
t update --memory 4m u1
t update --memory 64m u1
t update --memory 128m --memory-swap 64m u1
t update --memory-swap 256m u1
t update --memory 128m u1
t inspect u1 --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}'
t update --memory 512m u1
t update --restart=on-failure:3 u1 u1 nosuch
t inspect u1 --format '{{json .HostConfig.RestartPolicy}}'
t update --restart=bogus u1
t update --cpus 1.5 --cpu-shares 512 --pids-limit 50 u1
t inspect u1 --format '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuQuota}}'
t update --cpu-quota 50000 u1
t update --cpu-period 50000 u1
t update --cpus 3 u1
t update --cpus 1 --cpu-period 50000 u1
t update --pids-limit -1 --memory-reservation 100m u1
t inspect u1 --format '{{.HostConfig.PidsLimit}} {{.HostConfig.MemoryReservation}}'
t update --memory-swap -1 u1
t update --memory 64m u1
t create --name u2 $IMG sh -c 'sleep 3600'
t update --cpu-period 50000 --cpu-quota 20000 u2
t update --cpus 1 u2
t inspect u2 --format '{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.NanoCpus}}'
t create --rm --name u3 $IMG sh -c 'sleep 3600'
t update --restart=always u3
t update --restart=no u3
t rm u3
# a running container's cgroup takes the new limits at once
t run -d --name u4 --memory 32m --pids-limit 20 $IMG sh -c 'sleep 3600'
t update --memory 48m --pids-limit 9 --cpus 0.5 --cpu-shares 256 u4
t exec u4 sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes pids/pids.max cpu/cpu.cfs_quota_us cpu/cpu.shares'
t update --memory-swap 96m u4
t exec u4 cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes
t inspect u4 --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}}'
t rm -f u4
