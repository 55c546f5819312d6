# Drives a command through a real pseudo-terminal (python3's pty module): what a person at a
# terminal sees. argv: STEPS_JSON DOCKER_ARGS... ; each step is [bytes_as_latin1, quiet_ms]: the bytes are
# typed, then the output is read until it has been quiet that long. Prints JSON: the bytes the
# terminal received (latin1) and the command's exit status.
import fcntl, json, os, pty, select, struct, sys, termios, time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
# PTY_WINSIZE=ROWSxCOLS: a window, as a terminal has (the docker CLI sends it to the daemon's
# /resize); none by default: the resize races the shell's first prompt, and busybox redraws the
# prompt on the SIGWINCH it gets when the resize comes second
if os.environ.get('PTY_WINSIZE'):
    rows, cols = (int(n) for n in os.environ['PTY_WINSIZE'].split('x'))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
out = bytearray()

def drain(quiet_ms, limit_s=30.0):
    # read until something came and then nothing for quiet_ms (or the child closed the terminal):
    # a loaded machine may take seconds to start a container, and keys typed before the shell
    # reads them come back differently (the terminal's own echo, no cursor query)
    end = time.time() + limit_s
    last = time.time()
    start = len(out)
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.02)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return False
            if not d:
                return False
            out.extend(d)
            last = time.time()
        elif len(out) > start and (time.time() - last) * 1000 >= quiet_ms:
            return True
    return True

open_ = drain(500)
for data, quiet in steps:
    if not open_:
        break
    os.write(fd, data.encode('latin1'))
    open_ = drain(quiet)
# then until the command closes the terminal
for _ in range(6):
    if not drain(200, 5.0):
        break
_, st = os.waitpid(pid, 0)
print(json.dumps({'output': out.decode('latin1'), 'status': os.waitstatus_to_exitcode(st)}))
