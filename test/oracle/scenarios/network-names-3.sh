# More of names and links: a default-bridge container's resolv.conf and hosts as a user network comes
# and goes, `network connect --link` and `--alias` (running and stopped), links by ID prefix, to a
# range of exposed ports, with a dashed alias, surviving a restart, to a host-network container, and
# `network inspect` of one container's endpoint.
t network create app-net
t run -d --name api --network app-net $IMG sh -c 'sleep 3600'
t run -d --name d1 $IMG sh -c 'sleep 3600'
t exec d1 sh -c 'grep -v "^#" /etc/resolv.conf'
t network connect --link api:lnk --alias d1-alias app-net d1
t exec d1 cat /etc/resolv.conf
t exec d1 sh -c 'grep -v "^f\|^::" /etc/hosts'
t exec d1 sh -c 'nslookup lnk | grep -A1 "^Name:"; ping -c 1 -W 1 lnk.app-net | head -n 1'
t exec api sh -c 'nslookup d1-alias | grep -A1 "^Name:"; nslookup d1.app-net | grep -A1 "^Name:"'
t inspect -f '{{json .NetworkSettings.Networks}}' d1
t network disconnect app-net d1
t exec d1 sh -c 'grep -v "^#" /etc/resolv.conf'
t exec d1 sh -c 'grep -v "^f\|^::" /etc/hosts'
t create --name later --network app-net --network-alias late-alias $IMG sh -c 'sleep 3600'
t network connect --alias extra app-net later
t inspect -f '{{json .NetworkSettings.Networks}}' later
t start later
t inspect -f '{{json (index .NetworkSettings.Networks "app-net").Aliases}}' later
t exec api sh -c 'ping -c 1 -W 1 extra | head -n 1'
t run -d --name ranges --expose 7000-7002 --expose 9000/udp -e 'X=a b' $IMG sh -c 'sleep 3600'
RID=$(docker inspect -f '{{.Id}}' ranges | cut -c1-12)
t run -d --name user --link "$RID:my-svc" $IMG sh -c 'sleep 3600'
t exec user sh -c 'env | grep ^MY_SVC_ | sort'
t inspect -f '{{json .HostConfig.Links}}' user
t restart -t 0 user
t exec user sh -c 'grep -w ranges /etc/hosts; env | grep -c ^MY_SVC_'
t run -d --name hosty --network host $IMG sh -c 'sleep 3600'
t run --rm --link hosty:h $IMG true
t run --rm --network host --link ranges:r $IMG true
# Containers is a map keyed by container ID: templates and JSON walk it in key order, which IDs decide
ts network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}} [{{.IPv6Address}}]{{println}}{{end}}' app-net
ts network inspect -f '{{range $id, $c := .Containers}}{{json $c}}{{println}}{{end}}' bridge
