# Names that change: a dotted --hostname (its /etc/hosts line and what the DNS answers), a link whose
# child is renamed, then removed (the daemon's graph keeps it: the parent no longer starts), then
# replaced by a new container of the old name (not linked).
t network create pn
t run -d --name dotted --network pn --hostname web.local $IMG sh -c 'sleep 3600'
t inspect -f '{{.Config.Hostname}}|{{.Config.Domainname}}' dotted
t exec dotted sh -c 'hostname; hostname -f; dnsdomainname; grep web /etc/hosts; cat /etc/hostname'
t run --rm --network pn $IMG sh -c 'nslookup web.local | grep -A1 ^Name:; ping -c1 -W1 web | head -n1'
t run -d --name db $IMG sh -c 'sleep 3600'
t run -d --name web --link db:d $IMG sh -c 'sleep 3600'
t rename db db2
t inspect -f '{{json .HostConfig.Links}}' web
t restart -t 0 web
t exec web sh -c 'grep -w d /etc/hosts; env | grep ^D_NAME'
t rm -f db2
t inspect -f '{{json .HostConfig.Links}}' web
t restart -t 0 web
t exec web sh -c 'grep -c -w d /etc/hosts; env | grep -c ^D_'
t run -d --name db $IMG sh -c 'sleep 3600'
t restart -t 0 web
t inspect -f '{{json .HostConfig.Links}}' web
t exec web sh -c 'grep -c -w d /etc/hosts; env | grep -c ^D_'
