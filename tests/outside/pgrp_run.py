#!/usr/bin/env python3
"""pgrp_run.py COMMAND [ARGS...]: COMMAND in a process group of its own,
under this process, which stays in the same session but in another group.
Such a group is not orphaned, so SIGTSTP, SIGTTIN and SIGTTOU stop its
members; the kernel discards them for a member of an orphaned group
(POSIX job control), and a test's own group is orphaned when the test
runner starts it in a session of its own (ctest in CI). Exit status:
COMMAND's, or 128+N when signal N killed it."""
import os
import sys

if len(sys.argv) < 2:
    sys.exit("usage: pgrp_run.py COMMAND [ARGS...]")
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    except OSError as e:
        print(f"pgrp_run.py: {sys.argv[1]}: {e.strerror}", file=sys.stderr)
        os._exit(127)
try:
    os.setpgid(pid, pid)  # both set it: no race with the exec
except OSError:
    pass  # the child set it and exec'd already
if os.getpgid(0) == pid or os.getsid(0) != os.getsid(pid):
    print("pgrp_run.py: the child's group is not apart from ours", file=sys.stderr)
while True:
    _, st = os.waitpid(pid, 0)  # stops are not ends (no WUNTRACED)
    if os.WIFEXITED(st):
        sys.exit(os.WEXITSTATUS(st))
    if os.WIFSIGNALED(st):
        sys.exit(128 + os.WTERMSIG(st))
