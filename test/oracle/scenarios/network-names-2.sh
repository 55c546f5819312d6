# Legacy links and network bookkeeping: --link name:alias on the default bridge (the /etc/hosts lines,
# the NAME_PORT_... and NAME_NAME environment, HostConfig.Links), the default bridge's lack of DNS,
# --link on a user network (an alias only the linking container sees), `network ls --filter`, `network
# rm` of several with one in use, and the errors of `network create`.
SERVE='mkdir -p /www && echo hello-from-db > /www/index.html && httpd -p 5432 -h /www && sleep 3600'
t run -d --name db --expose 5432 --expose 53/udp -e SECRET=s3 -e MODE=ro $IMG sh -c "$SERVE"
t run -d --name web --link db:dbalias $IMG sh -c 'sleep 3600'
t exec web sh -c 'env | grep ^DBALIAS_ | sort'
t exec web cat /etc/hosts
t inspect -f '{{json .HostConfig.Links}}' web
t inspect -f '{{json .HostConfig.Links}}' db
t exec web sh -c 'ping -c 1 -W 1 dbalias | head -n 1; ping -c 1 -W 1 db | head -n 1'
t exec web wget -qO- http://dbalias:5432/
t exec web sh -c 'nslookup db 127.0.0.11 >/dev/null 2>&1; echo "nslookup rc=$?"'
t run --rm --name tmp1 --link db $IMG sh -c 'env | grep ^DB_ | sort; grep -w db /etc/hosts'
t run --rm --link nosuch:x $IMG true
t create --name stopped $IMG true
t run --rm --name tmp2 --link stopped:s $IMG true
t run -d --name web2 --link db:one --link db:two $IMG sh -c 'sleep 3600'
# the daemon keeps links in a map: their /etc/hosts lines and HostConfig.Links come in no fixed order
t exec web2 sh -c 'grep -w db /etc/hosts | sort; env | grep -c ^ONE_; env | grep -c ^TWO_'
ts inspect -f '{{range .HostConfig.Links}}{{println .}}{{end}}' web2
t network create app
t run -d --name api --network app $IMG sh -c 'sleep 3600'
t run -d --name cli --network app --link api:apilink $IMG sh -c 'sleep 3600'
t exec cli sh -c 'nslookup apilink | grep -A1 "^Name:"; ping -c 1 -W 1 apilink | head -n 1'
t exec cli sh -c 'env | grep -c ^APILINK_; grep api /etc/hosts; echo done'
t inspect -f '{{json .HostConfig.Links}} {{json .NetworkSettings.Networks.app.Links}} {{json .NetworkSettings.Networks.app.Aliases}}' cli
t run --rm --network app --link nosuch:x $IMG true
t network create --label tier=web --label env web-net
t network create -d bridge --label tier=db db-net
t network create --internal hidden
t network ls --filter driver=bridge --format '{{.Name}}'
t network ls --filter driver=null --format '{{.Name}}'
t network ls --filter type=builtin --format '{{.Name}} {{.Driver}}'
t network ls --filter type=custom --filter name=net --format '{{.Name}}'
t network ls --filter label=tier --format '{{.Name}}'
t network ls --filter label=env --filter label=tier=web --format '{{.Name}}'
t network ls --filter dangling=false --format '{{.Name}}'
t network ls --filter dangling=true --format '{{.Name}}'
t network ls --filter type=other
t network ls --filter name=db-net --filter name=hidden --format '{{.Name}}' 
t network rm web-net app db-net
t network ls --format '{{.Name}}'
t network create app
t network create --subnet 10.1.2.3/33 bad1
t network create --subnet notasubnet bad2
t network create --subnet 10.70.0.0/24 --gateway 10.71.0.1 bad3
t network create --subnet 10.70.0.0/24 --ip-range 10.72.0.0/25 bad4
t network create --subnet 10.70.0.0/24 ok1
t network create --subnet 10.70.0.128/25 bad5
t network create --gateway 10.70.0.1 bad6
t network create -d nosuchdriver bad7
t network ls --format '{{.Name}}'
