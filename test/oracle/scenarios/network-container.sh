# --network container:X: the new container lives in X's network namespace, with X's addresses, name
# and /etc files; what cannot go with it is refused as the request is read.
t run -d --name web $IMG sh -c 'sleep 3600'
t run --rm --network container:web $IMG sh -c 'hostname -i; ip -4 route'
t run --rm --network container:web $IMG sh -c 'hostname; cat /etc/hostname; grep -v "^fe\|^ff\|^::" /etc/hosts'
t run --rm --network container:nosuch $IMG true
t create --name stopped $IMG true
t run --rm --network container:stopped $IMG true
t run --rm --network container:web -p 8080:80 $IMG true
t run --rm --network container:web --hostname xx $IMG true
t run --rm --network container:web --dns 10.0.0.1 $IMG true
t run --rm --network container:web --add-host a:10.0.0.1 $IMG true
t run --rm --network container:web --expose 80 $IMG true
t run -d --name side --network container:web $IMG sh -c 'sleep 3600'
t inspect -f '{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Networks}} [{{.NetworkSettings.IPAddress}}]' side
t exec side sh -c 'hostname -i; ip -4 route; hostname'
t exec web sh -c 'hostname -i'
t rm -f web side stopped
