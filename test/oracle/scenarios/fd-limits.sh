# /proc/PID/fd and resource limits as a container sees them: the descriptors runc hands over (and the
# one ls holds on the directory it lists), ulimit's answers from the daemon's limits or --ulimit,
# /proc/PID/limits, HostConfig.Ulimits. Pipe inode numbers differ by nature: sed masks them.
t run --rm $IMG sh -c 'ls /proc/self/fd | wc -l; ls /proc/self/fd'
t run --rm $IMG sh -c 'ulimit -n; ulimit -Hn; ulimit -u; ulimit -s; ulimit -c; ulimit -f'
t run --rm --ulimit nofile=100:200 $IMG sh -c 'ulimit -n; ulimit -Hn; ulimit -Sn 50; ulimit -n; ulimit -Hn 300; echo $?'
t run -d --name web --ulimit nofile=100:200 $IMG sh -c 'sleep 300'
t inspect -f '{{json .HostConfig.Ulimits}}' web
t exec web sh -c 'ls /proc/self/fd | wc -l'
t exec web sh -c 'readlink /proc/self/fd/0'
t exec -i web sh -c 'readlink /proc/self/fd/0 | sed "s/[0-9][0-9]*/N/"'
t exec -t web sh -c 'ls -l /proc/self/fd | awk "{print \$1, \$NF}" | sed "s/[0-9][0-9]*]/N]/"'
t exec web sh -c 'readlink /proc/1/fd/0; readlink /proc/1/fd/2 | sed "s/[0-9][0-9]*/N/"; readlink /proc/self/fd/1 | sed "s/[0-9][0-9]*/N/"'
t exec web sh -c 'ls -l /proc/self/fd | awk "{print \$1, \$NF}" | sed "s/[0-9][0-9]*]/N]/"'
t exec web sh -c 'grep -E "open files|processes|stack" /proc/1/limits'
t exec web sh -c 'ulimit -a; grep "open files" /proc/1/limits /proc/self/limits'
t exec web sh -c 'ulimit -n 99999; echo $?; ulimit -x; ulimit -n -u'
t rm -f web
