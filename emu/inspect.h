/* Inspection of the modeled kernel: task tree and shared objects. */
#ifndef EMU_INSPECT_H
#define EMU_INSPECT_H

#include <stdio.h>

/* Tasks (tid, pid, ppid, state, what they wait on) and the mm, files, fs,
 * sighand, signal and nsproxy objects with their reference counts and
 * holders, plus copy-on-write figures. */
void inspect_print(FILE *out);
/* The same as a Graphviz digraph (render with dot -Tsvg). */
void inspect_dot(FILE *out);

#endif
