# Removing images: by tag, by ID and prefix, with and without -f, several at once, what is missing.
t tag $IMG one:1
t tag $IMG two:2
t rmi c58734b4a229
t rmi c5873
t rmi sha256:c58734b4a22923168fe6317fc718bbefe2a71591549e045261b21404e559d537
t rmi nosuch
t rmi nosuch:1 one:1
t rmi sha256:0000000000000000000000000000000000000000000000000000000000000000
t rmi 00000
t rmi ''
t rmi Bad
ts images --format '{{.Repository}}:{{.Tag}}'
t rmi -f c5873
t images
t image inspect $IMG
t load -i "$IMAGE_TAR"
t images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
