#!/usr/bin/env python3
"""pty_hup.py [EMULATOR] SUBJECT OUT: SUBJECT (tty_subject) waits as the
session leader of a new pty; closing the pty's master hangs the terminal
up, and the subject writes what it got to OUT. Prints OUT and the exit
status. With --modes EMULATOR: `EMULATOR /bin/stty raw -echo` leaves the
terminal raw, and cloneemu must have restored the modes when it is gone."""
import os, pty, select, sys, termios, time

def run(argv):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    return pid, fd

if sys.argv[1] == "--modes":
    pid, fd = run([sys.argv[2], "/bin/stty", "raw", "-echo"])
    while True:
        r, _, _ = select.select([fd], [], [], 1)
        try:
            if r and not os.read(fd, 4096):
                break
        except OSError:
            break
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    lflag = termios.tcgetattr(fd)[3]
    print("ICANON", "on" if lflag & termios.ICANON else "off",
          "ECHO", "on" if lflag & termios.ECHO else "off")
    sys.exit(0)

argv, out = sys.argv[1:-1], sys.argv[-1]
pid, fd = run(argv + ["hup", out])
buf = b""
end = time.time() + 30
while b"ready" not in buf and time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        buf += os.read(fd, 4096)
os.close(fd)  # the terminal goes away: SIGHUP (and SIGCONT) to the session leader
st = None
end = time.time() + 30
while time.time() < end:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    print("still running 30 s after the hangup")
    sys.exit(1)
try:
    print(open(out).read(), end="")
except OSError:
    print("no", out)
print("exit", os.waitstatus_to_exitcode(st))
