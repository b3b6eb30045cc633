/* --trace: syscalls whose arguments depend on a command: prctl's option,
 * ioctl's request. A value the call returns through a pointer prints when
 * it returns, as strace does. */
#include "syscalls/trace_internal.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>

#include "kernelmodel/task.h"

static const struct flag_name ioctls[] = {
	{TCGETS, "TCGETS"},       {TCSETS, "TCSETS"},         {TCSETSW, "TCSETSW"},
	{TCSETSF, "TCSETSF"},     {TIOCGWINSZ, "TIOCGWINSZ"}, {TIOCSWINSZ, "TIOCSWINSZ"},
	{TIOCGPGRP, "TIOCGPGRP"}, {TIOCSPGRP, "TIOCSPGRP"},   {TIOCSCTTY, "TIOCSCTTY"},
	{TIOCNOTTY, "TIOCNOTTY"}, {FIONREAD, "FIONREAD"},     {FIONBIO, "FIONBIO"},
	{FIOCLEX, "FIOCLEX"},     {FIONCLEX, "FIONCLEX"},     {TIOCGPTN, "TIOCGPTN"},
	{TIOCSPTLCK, "TIOCSPTLCK"}, {TIOCGSID, "TIOCGSID"},   {TCFLSH, "TCFLSH"},
	{TIOCOUTQ, "TIOCOUTQ"},   {TCXONC, "TCXONC"},         {TCSBRK, "TCSBRK"},
};

/* prctl and ioctl: what follows the option or request depends on it; a
 * value the call returns through a pointer prints at exit. */
void tb_ioctl_request(struct tbuf *b, uint32_t req)
{
	tb_value(b, req, XLAT(ioctls), "%#llx");
}

int trace_args_by_command(struct tbuf *b, struct task *t, long nr, const uint64_t *a, long ret,
			  int from, bool exiting)
{
	bool failed = ret < 0 && ret >= -4095;
	int32_t v;
	if (nr == __NR_ioctl) {
		uint32_t req = (uint32_t)a[1];
		bool get = req == TIOCGWINSZ || req == FIONREAD || req == TIOCGPGRP ||
			   req == TIOCOUTQ || req == TIOCGSID || req == TIOCGPTN;
		if (!exiting) {
			tb_printf(b, "%d, ", (int)a[0]);
			tb_ioctl_request(b, req);
			tb_puts(b, ", ");
			if (get)
				return 2;
		} else if (from != 2) {
			return 3;
		}
		struct { uint16_t row, col, x, y; } ws;
		if ((req == TIOCGWINSZ || req == TIOCSWINSZ) && !(get && failed) &&
		    trace_peek(t, &ws, a[2], sizeof(ws)))
			tb_printf(b, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", ws.row,
				  ws.col, ws.x, ws.y);
		else if ((get || req == TIOCSPGRP || req == FIONBIO) && req != TIOCGWINSZ &&
			 !(get && failed) && trace_peek(t, &v, a[2], 4))
			tb_printf(b, "[%d]", v);
		else
			tb_addr(b, a[2]);
		return 3;
	}
	/* prctl */
	uint32_t op = (uint32_t)a[0];
	int n = 5;
	switch (op) {
	case PR_GET_DUMPABLE: case PR_GET_KEEPCAPS: case PR_GET_TIMERSLACK:
	case PR_GET_NO_NEW_PRIVS: case PR_GET_SECCOMP: case PR_GET_THP_DISABLE:
		n = 1;
		break;
	case PR_SET_NAME: case PR_GET_NAME: case PR_SET_PDEATHSIG: case PR_GET_PDEATHSIG:
	case PR_SET_DUMPABLE: case PR_SET_KEEPCAPS: case PR_SET_CHILD_SUBREAPER:
	case PR_GET_CHILD_SUBREAPER: case PR_SET_TIMERSLACK: case PR_CAPBSET_READ:
	case PR_CAPBSET_DROP:
		n = 2;
		break;
	default:
		break;
	}
	bool out = op == PR_GET_NAME || op == PR_GET_PDEATHSIG || op == PR_GET_CHILD_SUBREAPER;
	if (!exiting) {
		tb_value(b, op, X(prctl), "%#llx");
		if (n > 1)
			tb_puts(b, ", ");
		if (out)
			return 1;
	} else if (from != 1) {
		return n;
	}
	for (int i = 1; i < n; i++) {
		if (i > 1)
			tb_puts(b, ", ");
		if (i == 1 && (op == PR_SET_NAME || (op == PR_GET_NAME && !failed)))
			tb_string(b, t, a[1], false);
		else if (i == 1 && op == PR_SET_PDEATHSIG)
			tb_signal(b, (int)a[1]);
		else if (i == 1 && out && !failed && trace_peek(t, &v, a[1], 4))
			op == PR_GET_PDEATHSIG && v ? (void)(tb_putc(b, '['), tb_signal(b, v), tb_putc(b, ']'))
						     : tb_printf(b, "[%d]", v);
		else if (i == 1 && out)
			tb_addr(b, a[1]);
		else
			tb_raw(b, a[i]);
	}
	return n;
}
