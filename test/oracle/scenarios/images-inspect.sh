# inspect and history of an image: formats, several at once, a missing one among them, IDs and prefixes.
t image inspect -f '{{.Id}}' $IMG
t image inspect -f '{{.Parent}}|{{.Comment}}|{{.Container}}|{{.DockerVersion}}|{{.Author}}|{{.Size}}|{{.VirtualSize}}' $IMG
t image inspect -f '{{json .Config}}' $IMG
t image inspect -f '{{json .ContainerConfig}}' $IMG
t image inspect -f '{{json .RootFS}}' $IMG
t image inspect -f '{{.GraphDriver.Name}} {{json .RepoDigests}} {{.Os}}' $IMG
t image inspect -f '{{.Id}}' c5873 sha256:c58734b4a22923168fe6317fc718bbefe2a71591549e045261b21404e559d537
t image inspect -f '{{.Id}}' $IMG nosuch
t inspect --type image -f '{{.Id}}' $IMG
t history $IMG
t history --no-trunc --format '{{.ID}} {{.CreatedBy}} {{.Size}} {{.Comment}}' $IMG
t history -q $IMG
t history -H=false --format '{{.CreatedAt}} {{.Size}}' $IMG
t history nosuch
t history c5873 --format '{{.ID}}'
