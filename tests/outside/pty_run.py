#!/usr/bin/env python3
"""pty_run.py COMMAND...: run COMMAND as the session leader of a new
pseudo terminal (pty.fork); print what it wrote (\\r dropped) and its exit
status. tests/outside/pty_run.sh compares a native and an emulated run."""
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
end = time.time() + 60
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    else:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            break
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
try:
    _, st = os.waitpid(pid, 0)
except ChildProcessError:
    pass
print("exit", os.waitstatus_to_exitcode(st))
