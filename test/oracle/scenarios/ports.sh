# Published ports, made real: a container's busybox httpd reached by curl on the host through the
# published port (127.0.0.1 only, high fixed ports), `docker port`, the PORTS column and
# NetworkSettings.Ports, a port another container holds, stop closing the listener and start
# reopening it, an allocated host port, and wget from another container by name on a user network.
# h ARGS...: a command on the host itself (curl to a published port), printed as run.sh prints a step
h() {
  local err; err=$(mktemp); echo "\$ $*" | normalise
  timeout 60 "$@" 2>"$err" </dev/null | normalise; local code=${PIPESTATUS[0]}
  [[ -s $err ]] && { echo "[stderr]"; normalise <"$err"; }
  echo "[exit $code]"; rm -f "$err"
}
SERVE='mkdir -p /www && echo hello-web > /www/index.html && httpd -p 80 -h /www && sleep 3600'
CURL=(curl -s --retry 10 --retry-all-errors --retry-delay 1 --retry-max-time 20 --max-time 5)
t run -d --name web1 -p 127.0.0.1:18471:80 $IMG sh -c "$SERVE"
h "${CURL[@]}" http://127.0.0.1:18471/
h curl -s -o /dev/null -w '%{http_code} %{content_type}\n' http://127.0.0.1:18471/nope
t port web1
t port web1 80/tcp
t port web1 81
t inspect -f '{{json .NetworkSettings.Ports}} {{json .HostConfig.PortBindings}}' web1
t ps --format '{{.Names}} {{.Ports}}'
t run -d --name web2 -p 127.0.0.1:18471:80 $IMG sh -c 'sleep 3600'
t ps -a --format '{{.Names}} {{.Status}} {{.Ports}}' --filter name=web2
t inspect -f '{{.State.Status}} {{json .NetworkSettings.Ports}} {{.State.Error}}' web2
t run -d --name web3 -p 127.0.0.1:18472:80 -p 127.0.0.1:18473:8080/udp $IMG sh -c 'sleep 3600'
t port web3
# nothing listens in web3: the proxy accepts and closes (curl says 52 or 56, as the close races the request)
h sh -c 'curl -s --max-time 5 http://127.0.0.1:18472/ || echo no reply'
t stop -t 0 web1
t port web1
t inspect -f '{{json .NetworkSettings.Ports}}' web1
h curl -s --max-time 5 http://127.0.0.1:18471/
t start web1
h "${CURL[@]}" http://127.0.0.1:18471/
t run -d --name web4 -p 127.0.0.1::80 $IMG sh -c 'sleep 3600'
t port web4
t network create --subnet 10.79.7.0/24 pnet
t run -d --name srv --network pnet $IMG sh -c 'mkdir /www && echo hello-srv > /www/index.html && httpd -p 8000 -h /www && sleep 3600'
t run --rm --network pnet $IMG sh -c 'wget -q -O- http://srv:8000/'
t run --rm --network pnet $IMG sh -c 'cd /tmp && wget http://srv:8000/ && cat index.html'
t run --rm --network pnet $IMG sh -c 'wget -O- http://srv:8000/nope'
t run --rm --network pnet $IMG sh -c 'echo x | nc srv 8001'
t run --rm $IMG sh -c 'wget -q -O- http://172.17.0.1:18471/'
t exec srv sh -c 'httpd -p 8000 -h /www; echo rc=$?'
t rm -f web1 web2 web3 web4 srv
