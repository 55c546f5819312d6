# Networks beyond the shared scenario: inspect of the predefined and user networks, ls filters,
# connect and disconnect of running and stopped containers and their errors, aliases and names in
# the embedded DNS, /etc/hosts and resolv.conf as endpoints come and go, --network none and host,
# the addresses a stopped container gives back, prune.
# the default bridge's IPAM Gateway shows only when docker0 existed before the daemon started
# (libnetwork reads the bridge's address then): it depends on the host, not on the engine
t network inspect host none
t network inspect -f '{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Options}}' bridge
t network create --label tier=web front
t network create --subnet 10.88.0.0/24 --gateway 10.88.0.254 --ip-range 10.88.0.128/25 back
t network inspect back
t network ls
t network ls --filter type=custom --format '{{.Name}} {{.Driver}}'
t network ls --filter label=tier=web -q
t network ls --filter name=ba --format '{{.Name}}'
t network ls --filter dangling=true --format '{{.Name}}'
t network ls --filter foo=bar
t inspect -f '{{.Name}} {{.Driver}} {{.Internal}}' back
t inspect nosuch
t network create front
t network create -d host h2
t network rm bridge
t network rm nosuch
t run -d --name w1 --network front --network-alias web --network-alias www $IMG sh -c 'sleep 3600'
t run -d --name w2 --network front --hostname box2 $IMG sh -c 'sleep 3600'
t run -d --name d1 $IMG sh -c 'sleep 3600'
t inspect -f '{{.NetworkSettings.Networks.front.IPAddress}} {{.NetworkSettings.Networks.front.Gateway}} {{len .NetworkSettings.Networks.front.Aliases}} {{index .NetworkSettings.Networks.front.Aliases 0}}' w1
t inspect -f '{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.Networks.front.IPPrefixLen}}|{{.Config.Hostname}}' w2
# the template ranges over a map keyed by container ID: the rows sorted, as IDs differ
ts network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{println}}{{end}}' front
t exec w2 sh -c 'nslookup www | grep "^Address: "'
t exec w2 sh -c 'nslookup w1.front | grep "^Address: "'
t exec w1 sh -c 'ping -c 1 -W 1 box2 | head -n 2 | cut -d" " -f1-6'
t exec w1 sh -c 'ping -c 1 -W 1 10.88.0.1 | tail -n 2'
t exec w1 cat /etc/hosts
t exec w2 sh -c 'cat /etc/hostname; hostname -i'
t exec d1 sh -c 'cat /etc/hosts; hostname -i; ip route'
t exec d1 sh -c 'ping -c 1 -W 1 w1'
t exec d1 sh -c 'nslookup w1 127.0.0.11'
t network connect --ip 10.88.0.7 back d1
t network connect back d1
t network connect --alias x bridge w1
t exec d1 sh -c 'cat /etc/resolv.conf; ip -4 addr | grep inet; ip route'
t inspect -f '{{json .NetworkSettings.Networks.back.IPAMConfig}} {{.NetworkSettings.Networks.back.IPAddress}} {{.NetworkSettings.Networks.back.Gateway}}' d1
t run -d --name r1 --network back $IMG sh -c 'sleep 3600'
t inspect -f '{{.NetworkSettings.Networks.back.IPAddress}}' r1
t exec r1 sh -c 'ping -c 1 -W 1 d1 | head -n 1'
t exec r1 sh -c 'ping -c 1 -W 1 w1'
t network disconnect bridge d1
t exec d1 sh -c 'cat /etc/hosts; ip route'
t network disconnect front d1
t network disconnect nosuch d1
t run -d --name n1 --network none $IMG sh -c 'sleep 3600'
t exec n1 sh -c 'ip addr; ip route; cat /etc/hosts'
t exec n1 sh -c 'ping -c 1 -W 1 127.0.0.1 | head -n 1; ping -c 1 -W 1 10.88.0.1'
t inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} [{{$v.IPAddress}}] {{end}}' n1
t network connect front n1
t run -d --name h1 --network host $IMG sh -c 'sleep 3600'
t inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} [{{$v.IPAddress}}] {{end}}{{.NetworkSettings.IPAddress}}' h1
t network connect front h1
t network disconnect host h1
t network inspect -f '{{range .Containers}}{{.Name}} {{end}}' host none
t stop -t 0 w1
t inspect -f '[{{.NetworkSettings.Networks.front.IPAddress}}] [{{.NetworkSettings.Networks.front.EndpointID}}] {{.NetworkSettings.Networks.front.Aliases}}' w1
t run -d --name w3 --network front $IMG sh -c 'sleep 3600'
t inspect -f '{{.NetworkSettings.Networks.front.IPAddress}}' w3
t start w1
t inspect -f '{{.NetworkSettings.Networks.front.IPAddress}}' w1
t stop -t 0 w1
t network connect front w1
t network connect --alias q bridge w1
t network disconnect front w1
t network disconnect front w1
t inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' w1
t network rm front
t rm -f w2 w3
t network rm front
t network prune -f
t network ls --format '{{.Name}}'
