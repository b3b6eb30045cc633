#!/usr/bin/env python3
"""pty_jobs.py [EMULATOR] SHELL...: an interactive shell under a pseudo
terminal does job control (issue #17). The session: a background job,
`jobs`, `kill %1`; a foreground `cat` that reads the terminal, ^Z, `jobs`,
`bg` (cat then reads in the background: SIGTTIN stops it), `fg`, ^C.

Prints the outcome lines: what `jobs` listed between markers, the
statuses, and what cat echoed — not the exact bytes (prompts, echo and
notices differ with timing). tests/outside/pty_jobs.sh compares a native
run with one under cloneemu."""
import os, pty, re, select, signal, sys, time

argv = sys.argv[1:]
if not argv:
    sys.exit("usage: pty_jobs.py [EMULATOR] SHELL [ARGS...]")

env = dict(os.environ, PS1="$ ", TERM="dumb", HOME="/nonexistent", ENV="/dev/null",
           INPUTRC="/dev/null", HISTFILE="/dev/null")
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(argv[0], argv, env)

buf = b""

def read_some(timeout):
    global buf
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    if not data:
        return None
    buf += data
    return True

def wait_for(pattern, timeout=30):
    """Read until the output (since the last mark) matches pattern."""
    end = time.time() + timeout
    rx = re.compile(pattern, re.M)
    while time.time() < end:
        text = buf.decode(errors="replace").replace("\r", "").replace("\x1b[6n", "")
        if rx.search(text):
            return True
        if read_some(0.2) is None:
            break
    sys.stderr.write("pty_jobs: timed out waiting for %r; output so far:\n%s\n"
                     % (pattern, buf.decode(errors="replace")))
    return False

def send(s):
    os.write(fd, s.encode())

steps = 0
def cmd(line, expect):
    global steps
    steps += 1
    send(line + "\n")
    return wait_for(expect)

ok = True
ok &= wait_for(r"\$ $")
# (the job says when it runs: a kill before the forked child has set its
# dispositions would find SIGTERM still ignored, as the interactive shell
# has it — a race natively too, only a narrow one there)
ok &= cmd("(echo started; exec sleep 100) &", r"started\n")
ok &= cmd("echo B1; jobs; echo E1", r"^E1$")
ok &= cmd("kill %1; wait %1; echo \"status1 $?\"", r"^status1 \d+$")
ok &= cmd("cat", r"cat\n")
time.sleep(0.5)
send("hello\n")
ok &= wait_for(r"^hello\n(.*\n)*hello\n")
send("\x1a")  # ^Z
ok &= wait_for(r"Stopped")
ok &= cmd("echo B2; jobs; echo E2", r"^E2$")
ok &= cmd("bg; sleep 1; echo B3; jobs; echo E3", r"^E3$")
ok &= cmd("fg", r"^cat$")
time.sleep(0.5)
send("world\n")
ok &= wait_for(r"^world\n(.*\n)*world\n")
mark = len(buf)
send("\x03")  # ^C (flushes what is typed after it: wait for the prompt)
end = time.time() + 30
while time.time() < end and not re.search(rb"\$ $", buf[mark:].replace(b"\x1b[6n", b"")):
    if read_some(0.2) is None:
        break
ok &= cmd("echo \"status2 $?\"", r"^status2 \d+$")
send("exit\n")
end = time.time() + 30
while time.time() < end and read_some(0.5) is not None:
    pass
try:
    _, status = os.waitpid(pid, 0)
except ChildProcessError:
    status = 0

text = buf.decode(errors="replace").replace("\r", "")
lines = text.split("\n")
out = []
inside = False
for l in lines:
    s = l.strip()
    if re.fullmatch(r"B\d", s):
        inside = True
        continue
    if re.fullmatch(r"E\d", s):
        inside = False
        continue
    if inside:
        out.append(re.sub(r"\s+", " ", s))
    elif re.fullmatch(r"status\d \d+", s) or s in ("hello", "world"):
        out.append(s)
print("\n".join(out))
print("exit", os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status)
sys.exit(0 if ok else 1)
