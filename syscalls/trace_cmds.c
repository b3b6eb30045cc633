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
/* termios, as strace 6 prints it: the delay fields of c_oflag by value,
 * the baud rate and character size of c_cflag, then the flags. */
static const struct flag_name iflags[] = {
	{IGNBRK, "IGNBRK"}, {BRKINT, "BRKINT"}, {IGNPAR, "IGNPAR"}, {PARMRK, "PARMRK"},
	{INPCK, "INPCK"},   {ISTRIP, "ISTRIP"}, {INLCR, "INLCR"},   {IGNCR, "IGNCR"},
	{ICRNL, "ICRNL"},   {IUCLC, "IUCLC"},   {IXON, "IXON"},     {IXANY, "IXANY"},
	{IXOFF, "IXOFF"},   {IMAXBEL, "IMAXBEL"}, {IUTF8, "IUTF8"},
};
static const struct flag_name oflags[] = {
	{OPOST, "OPOST"}, {OLCUC, "OLCUC"}, {ONLCR, "ONLCR"},   {OCRNL, "OCRNL"},
	{ONOCR, "ONOCR"}, {ONLRET, "ONLRET"}, {OFILL, "OFILL"}, {OFDEL, "OFDEL"},
};
static const struct flag_name cflags[] = {
	{CSTOPB, "CSTOPB"}, {CREAD, "CREAD"},   {PARENB, "PARENB"}, {PARODD, "PARODD"},
	{HUPCL, "HUPCL"},   {CLOCAL, "CLOCAL"}, {CRTSCTS, "CRTSCTS"},
};
static const struct flag_name lflags[] = {
	{ISIG, "ISIG"},       {ICANON, "ICANON"},   {XCASE, "XCASE"},   {ECHO, "ECHO"},
	{ECHOE, "ECHOE"},     {ECHOK, "ECHOK"},     {ECHONL, "ECHONL"}, {NOFLSH, "NOFLSH"},
	{IEXTEN, "IEXTEN"},   {ECHOCTL, "ECHOCTL"}, {ECHOPRT, "ECHOPRT"}, {ECHOKE, "ECHOKE"},
	{FLUSHO, "FLUSHO"},   {PENDIN, "PENDIN"},   {TOSTOP, "TOSTOP"}, {EXTPROC, "EXTPROC"},
};
static const struct flag_name bauds[] = {
	{B0, "B0"},       {B50, "B50"},       {B75, "B75"},       {B110, "B110"},
	{B134, "B134"},   {B150, "B150"},     {B200, "B200"},     {B300, "B300"},
	{B600, "B600"},   {B1200, "B1200"},   {B1800, "B1800"},   {B2400, "B2400"},
	{B4800, "B4800"}, {B9600, "B9600"},   {B19200, "B19200"}, {B38400, "B38400"},
	{B57600, "B57600"}, {B115200, "B115200"}, {B230400, "B230400"}, {B460800, "B460800"},
	{B500000, "B500000"}, {B576000, "B576000"}, {B921600, "B921600"},
	{B1000000, "B1000000"}, {B1152000, "B1152000"}, {B1500000, "B1500000"},
	{B2000000, "B2000000"}, {B2500000, "B2500000"}, {B3000000, "B3000000"},
	{B3500000, "B3500000"}, {B4000000, "B4000000"},
};

static void tb_termios(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint32_t f[4]; /* c_iflag c_oflag c_cflag c_lflag */
	if (!trace_peek(t, f, addr, sizeof(f))) {
		tb_addr(b, addr);
		return;
	}
	tb_puts(b, "{c_iflag=");
	tb_flags(b, f[0], XLAT(iflags), "0");
	uint32_t o = f[1];
	tb_printf(b, ", c_oflag=NL%u|CR%u|TAB%u|BS%u|VT%u|FF%u", !!(o & NLDLY), (o & CRDLY) >> 9,
		  (o & TABDLY) >> 11, !!(o & BSDLY), !!(o & VTDLY), !!(o & FFDLY));
	o &= ~(uint32_t)(NLDLY | CRDLY | TABDLY | BSDLY | VTDLY | FFDLY);
	if (o) {
		tb_putc(b, '|');
		tb_flags(b, o, XLAT(oflags), "0");
	}
	uint32_t c = f[2];
	tb_puts(b, ", c_cflag=");
	tb_value(b, c & CBAUD, XLAT(bauds), "%#llo");
	tb_printf(b, "|CS%u", 5 + ((c & CSIZE) >> 4));
	c &= ~(uint32_t)(CBAUD | CSIZE);
	if (c) {
		tb_putc(b, '|');
		tb_flags(b, c, XLAT(cflags), "0");
	}
	tb_puts(b, ", c_lflag=");
	tb_flags(b, f[3], XLAT(lflags), "0");
	tb_puts(b, ", ...}");
}

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
			   req == TIOCOUTQ || req == TIOCGSID || req == TIOCGPTN || req == TCGETS;
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
		if ((req == TCGETS && !failed) || req == TCSETS || req == TCSETSW || req == TCSETSF)
			tb_termios(b, t, a[2]);
		else if ((req == TIOCGWINSZ || req == TIOCSWINSZ) && !(get && failed) &&
		    trace_peek(t, &ws, a[2], sizeof(ws)))
			tb_printf(b, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", ws.row,
				  ws.col, ws.x, ws.y);
		else if ((get || req == TIOCSPGRP || req == FIONBIO) && req != TIOCGWINSZ && req != TCGETS &&
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
