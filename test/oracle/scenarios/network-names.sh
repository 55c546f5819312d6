# Names on user networks: --network-alias and `network connect --alias` answered by the embedded DNS
# (nslookup, ping, wget between containers with busybox httpd), short container IDs, name.network,
# --hostname with --domainname, /etc/hosts and /etc/resolv.conf as networks come and go, `network
# inspect` templates. Only container names are ever looked up (an unknown name would be forwarded to
# the host's resolver by the real engine).
SERVE='mkdir -p /www && echo hello-from-api > /www/index.html && httpd -p 80 -h /www && sleep 3600'
t network create app
t run -d --name api --network app --network-alias backend --network-alias svc.internal $IMG sh -c "$SERVE"
t run -d --name cli --network app $IMG sh -c 'sleep 3600'
t exec cli sh -c 'nslookup api | grep -v "^$\|^Non-auth"'
t exec cli sh -c 'nslookup backend | grep -A1 "^Name:"'
# busybox prints the A and the (empty) AAAA answers in the order they arrive: only the A lines here
t exec cli sh -c 'nslookup svc.internal 127.0.0.11 | grep -v "^$\|^Non-auth"'
t exec cli sh -c 'ping -c 1 -W 1 backend | head -n 1'
t exec cli sh -c 'ping -c 1 -W 1 api.app | head -n 1'
t exec cli wget -qO- http://backend/
t exec cli sh -c 'wget -qO- http://svc.internal:80/index.html'
t exec cli sh -c 'wget -q -O - http://api.app/nope; echo "rc=$?"'
AID=$(docker inspect -f '{{.Id}}' api | cut -c1-12)
t exec cli sh -c "nslookup $AID | grep -A1 '^Name:'"
t exec cli sh -c "wget -qO- http://$AID/"
t inspect -f '{{json .NetworkSettings.Networks.app.Aliases}}' api
t network create --subnet 10.61.0.0/24 other
t run -d --name solo --network other $IMG sh -c 'sleep 3600'
t network connect --alias cache --alias store other api
t inspect -f '{{json .NetworkSettings.Networks.other.Aliases}} {{.NetworkSettings.Networks.other.IPAddress}}' api
t exec solo sh -c 'nslookup cache | grep -A1 "^Name:"; nslookup store | grep -A1 "^Name:"'
t exec solo sh -c 'ping -c 1 -W 1 api | head -n 1'
t exec solo sh -c 'wget -qO- http://store/'
t exec api cat /etc/hosts
t exec api cat /etc/resolv.conf
t exec api sh -c 'ip -4 -o addr show | awk "{print \$2, \$4}"; ip route'
ts network inspect -f '{{range $id, $c := .Containers}}{{$c.Name}} {{$c.IPv4Address}} {{$c.MacAddress}}{{println}}{{end}}' other
t network inspect -f '{{.IPAM.Driver}} {{json .IPAM.Config}} {{json .IPAM.Options}} {{json .Options}} {{.Internal}} {{.Attachable}} {{.EnableIPv6}}' other
t network disconnect other api
t exec api cat /etc/hosts
t inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{json $v.Aliases}} {{end}}' api
t network connect other api
t inspect -f '{{json .NetworkSettings.Networks.other.Aliases}} {{.NetworkSettings.Networks.other.IPAddress}}' api
t network connect other api
t network connect --alias again app api
t network disconnect bridge api
t network connect host api
t network connect none api
t run --rm --network app --hostname box --domainname example.test $IMG sh -c 'hostname; cat /etc/hostname; dnsdomainname; hostname -f; grep box /etc/hosts'
t run -d --name named --network app --hostname web1 --domainname corp.test $IMG sh -c 'sleep 3600'
t exec cli sh -c 'nslookup named | grep -A1 "^Name:"'
t inspect -f '{{.Config.Hostname}} {{.Config.Domainname}}' named
