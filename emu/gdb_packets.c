/* The gdb stub's wire: packets ($data#sum, acknowledged with '+'), hex,
 * binary replies, gdb's signal numbers and the target description. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emu/gdb_internal.h"

int gdb_fd = -1;

int gdb_hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
					      : c >= 'A' && c <= 'F' ? c - 'A' + 10
								     : -1;
}

static void write_all(const char *buf, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = send(gdb_fd, buf + off, n - off, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* $@head@data#sum, with '#', '$', '}' and '*' of @data escaped. */
void gdb_send_bin(const char *head, const uint8_t *data, size_t len)
{
	size_t hl = strlen(head);
	char *buf = malloc(hl + 2 * len + 5);
	if (!buf)
		return;
	size_t n = 0;
	buf[n++] = '$';
	memcpy(buf + n, head, hl);
	n += hl;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];
		if (c == '#' || c == '$' || c == '}' || c == '*') {
			buf[n++] = '}';
			c ^= 0x20;
		}
		buf[n++] = (char)c;
	}
	unsigned sum = 0;
	for (size_t i = 1; i < n; i++)
		sum += (unsigned char)buf[i];
	n += (size_t)snprintf(buf + n, 4, "#%02x", sum & 0xff);
	write_all(buf, n);
	free(buf);
}

void gdb_send(const char *data)
{
	gdb_send_bin(data, NULL, 0);
}

char *gdb_recv(void)
{
	static char buf[65536];
	char c;
	for (;;) {
		if (read(gdb_fd, &c, 1) != 1)
			return NULL;
		if (c == '$')
			break;
		if (c == 0x03) { /* ^C: already stopped, report it */
			buf[0] = '?';
			buf[1] = 0;
			return buf;
		}
	}
	size_t n = 0;
	while (read(gdb_fd, &c, 1) == 1 && c != '#') {
		if (c == '}') { /* binary data (X, vFile:pwrite) */
			if (read(gdb_fd, &c, 1) != 1)
				return NULL;
			c ^= 0x20;
		}
		if (n + 1 < sizeof(buf))
			buf[n++] = c;
	}
	buf[n] = 0;
	char sum[2];
	if (read(gdb_fd, sum, 2) != 2)
		return NULL;
	if (write(gdb_fd, "+", 1) != 1)
		return NULL;
	return buf;
}

void gdb_put_hex(char *out, const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", bytes[i]);
	out[2 * n] = 0;
}

size_t gdb_get_hex(const char *in, uint8_t *bytes, size_t max)
{
	size_t n = 0;
	while (n < max && gdb_hexval(in[2 * n]) >= 0 && gdb_hexval(in[2 * n + 1]) >= 0) {
		bytes[n] = (uint8_t)(gdb_hexval(in[2 * n]) << 4 | gdb_hexval(in[2 * n + 1]));
		n++;
	}
	return n;
}

/* ---- signal numbers: gdb's include/gdb/signals.def ---- */

#define GDB_SIGNAL_UNKNOWN 143

static const struct {
	int linux_sig, gdb_sig;
} sigmap[] = {
	{SIGHUP, 1},     {SIGINT, 2},     {SIGQUIT, 3},     {SIGILL, 4},   {SIGTRAP, 5},
	{SIGABRT, 6},    {SIGFPE, 8},     {SIGKILL, 9},     {SIGBUS, 10},  {SIGSEGV, 11},
	{SIGSYS, 12},    {SIGPIPE, 13},   {SIGALRM, 14},    {SIGTERM, 15}, {SIGURG, 16},
	{SIGSTOP, 17},   {SIGTSTP, 18},   {SIGCONT, 19},    {SIGCHLD, 20}, {SIGTTIN, 21},
	{SIGTTOU, 22},   {SIGIO, 23},     {SIGXCPU, 24},    {SIGXFSZ, 25}, {SIGVTALRM, 26},
	{SIGPROF, 27},   {SIGWINCH, 28},  {SIGUSR1, 30},    {SIGUSR2, 31}, {SIGPWR, 32},
};

int gdb_sig_from_linux(int sig)
{
	if (sig == 0)
		return 0;
	for (size_t i = 0; i < sizeof(sigmap) / sizeof(sigmap[0]); i++)
		if (sigmap[i].linux_sig == sig)
			return sigmap[i].gdb_sig;
	/* Real-time signals: 32 is REALTIME_32 (77), 33..63 are 45..75,
	 * 64 is REALTIME_64 (78). */
	if (sig == 32)
		return 77;
	if (sig >= 33 && sig <= 63)
		return 45 + (sig - 33);
	if (sig == 64)
		return 78;
	return GDB_SIGNAL_UNKNOWN;
}

int gdb_sig_to_linux(int gsig)
{
	for (int s = 1; s <= 64; s++)
		if (gdb_sig_from_linux(s) == gsig)
			return s;
	return 0;
}

/* ---- the target description: gdbserver's amd64-linux (core, sse, linux,
 * segments): registers 0-56 as gdb's default, orig_rax 57, fs_base 58,
 * gs_base 59 ---- */

static char tdesc[16384];
static size_t tdesc_len;

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void add(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tdesc + tdesc_len, sizeof(tdesc) - tdesc_len, fmt, ap);
	va_end(ap);
	if (n > 0 && tdesc_len + (size_t)n < sizeof(tdesc))
		tdesc_len += (size_t)n;
}

static void build_tdesc(void)
{
	static const char *const gpr[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
					  "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
	static const char *const eflags[] = {"CF:0", "PF:2", "AF:4", "ZF:6",  "SF:7",  "TF:8",
					     "IF:9", "DF:10", "OF:11", "NT:14", "RF:16", "VM:17",
					     "AC:18", "VIF:19", "VIP:20", "ID:21"};
	static const char *const mxcsr[] = {"IE:0", "DE:1", "ZE:2", "OE:3", "UE:4", "PE:5", "DAZ:6",
					    "IM:7", "DM:8", "ZM:9", "OM:10", "UM:11", "PM:12", "FZ:15"};
	static const char *const fpu[] = {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg",
					  "fooff", "fop"};
	static const char *const seg[] = {"cs", "ss", "ds", "es", "fs", "gs"};
	add("<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	    "<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
	    "<osabi>GNU/Linux</osabi><feature name=\"org.gnu.gdb.i386.core\">"
	    "<flags id=\"i386_eflags\" size=\"4\">");
	for (size_t i = 0; i < sizeof(eflags) / sizeof(eflags[0]); i++) {
		const char *c = strchr(eflags[i], ':');
		add("<field name=\"%.*s\" start=\"%s\" end=\"%s\"/>", (int)(c - eflags[i]), eflags[i],
		    c + 1, c + 1);
	}
	add("</flags>");
	int r = 0;
	for (int i = 0; i < 16; i++, r++)
		add("<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%d\"/>", gpr[i],
		    i == 6 || i == 7 ? "data_ptr" : "int64", r);
	add("<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\" regnum=\"16\"/>"
	    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\" regnum=\"17\"/>");
	for (int i = 0; i < 6; i++)
		add("<reg name=\"%s\" bitsize=\"32\" type=\"int32\" regnum=\"%d\"/>", seg[i], 18 + i);
	for (int i = 0; i < 8; i++)
		add("<reg name=\"st%d\" bitsize=\"80\" type=\"i387_ext\" regnum=\"%d\"/>", i, 24 + i);
	for (int i = 0; i < 8; i++)
		add("<reg name=\"%s\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"%d\"/>",
		    fpu[i], 32 + i);
	add("</feature><feature name=\"org.gnu.gdb.i386.sse\">"
	    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	    "<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
	    "<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
	    "<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
	    "</union><flags id=\"i386_mxcsr\" size=\"4\">");
	for (size_t i = 0; i < sizeof(mxcsr) / sizeof(mxcsr[0]); i++) {
		const char *c = strchr(mxcsr[i], ':');
		add("<field name=\"%.*s\" start=\"%s\" end=\"%s\"/>", (int)(c - mxcsr[i]), mxcsr[i],
		    c + 1, c + 1);
	}
	add("</flags>");
	for (int i = 0; i < 16; i++)
		add("<reg name=\"xmm%d\" bitsize=\"128\" type=\"vec128\" regnum=\"%d\"/>", i, 40 + i);
	add("<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\" regnum=\"56\"/>"
	    "</feature><feature name=\"org.gnu.gdb.i386.linux\">"
	    "<reg name=\"orig_rax\" bitsize=\"64\" type=\"int\" regnum=\"57\"/></feature>"
	    "<feature name=\"org.gnu.gdb.i386.segments\">"
	    "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"58\"/>"
	    "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\" regnum=\"59\"/></feature></target>");
}

void gdb_xfer_tdesc(const char *args, char *out, size_t size)
{
	uint64_t a = 0, l = 0;
	if (!tdesc_len)
		build_tdesc();
	if (sscanf(args, "%" SCNx64 ",%" SCNx64, &a, &l) != 2) {
		snprintf(out, size, "E00");
		return;
	}
	if (a >= tdesc_len) {
		snprintf(out, size, "l");
		return;
	}
	size_t n = tdesc_len - a < l ? tdesc_len - a : l;
	if (n > size - 2)
		n = size - 2;
	snprintf(out, size, "%c%.*s", a + n >= tdesc_len ? 'l' : 'm', (int)n, tdesc + a);
}
