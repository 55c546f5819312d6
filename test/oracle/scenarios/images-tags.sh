# Tags: many names for one image, registries and ports, what `docker tag` refuses, and LastTagTime.
t image inspect -f '{{.Metadata.LastTagTime.IsZero}}' $IMG
t tag $IMG a/b:1
t tag $IMG a/b
t tag $IMG localhost:5000/team/app:v1.0
t tag $IMG registry.example.com/x
t tag $IMG dk-build
t image inspect -f '{{.Metadata.LastTagTime.IsZero}}' $IMG
t image inspect -f '{{json .RepoTags}}' $IMG
ts images --format '{{.Repository}}|{{.Tag}}|{{.ID}}|{{.Size}}'
ts images
t images -q
ts images --no-trunc --format '{{.ID}} {{.Repository}}'
t images a/b
t images a/b:1
t images 'localhost:5000/*/*'
t tag $IMG Bad:1
t tag $IMG 'a:b:c'
t tag $IMG a/b:-x
t tag $IMG a/b:$(printf 'x%.0s' $(seq 1 129))
t tag $IMG a//b
t tag $IMG sha256:c58734b4a22923168fe6317fc718bbefe2a71591549e045261b21404e559d537
t tag nosuch other
t tag c5873 by-prefix:1
t tag sha256:c58734b4a22923168fe6317fc718bbefe2a71591549e045261b21404e559d537 by-id:1
# the rows of two tags of one image come in an order Docker does not fix (it changed with timing)
ts images --format '{{.Repository}}:{{.Tag}}' by-*
t rmi a/b:1 a/b localhost:5000/team/app:v1.0 registry.example.com/x by-prefix:1 by-id:1
ts images --format '{{.Repository}}:{{.Tag}}'
