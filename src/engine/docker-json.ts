/** Shapes of Docker's JSON that boxlab prints as Docker does (test/oracle/FACTS.md). */

/** Docker prints every field of a container config, empty ones as null, "" or false. */
export function dockerContainerConfig(c: Record<string, unknown> | undefined): Record<string, unknown> {
  const blank = {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: null,
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
  };
  return { ...blank, ...(c ?? {}) };
}
