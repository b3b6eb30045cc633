/* --gdb PORT: the GDB remote serial protocol on 127.0.0.1. Every guest task
 * is a gdb thread (its tid); the machine stops as a whole. Supported:
 * ?, qSupported, qfThreadInfo/qsThreadInfo, qC, qAttached, qXfer of the
 * target description, T (thread alive), H g/c, g/G, p/P, m/M, Z0/z0
 * software breakpoints, c/s, vCont (c, s), k, D. Breakpoints are code hooks
 * on their address, so the guest's memory is never patched. */
#include "emu/gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/reverse.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

#define MAX_BREAKPOINTS 64

static struct {
	int fd;
	int gtid;            /* thread for g/G/m/M (Hg) */
	uint64_t bp[MAX_BREAKPOINTS];
	int nbp;
	bool stepping;       /* the current resume is a single step */
	int step_tid;
	bool detached;
	bool killed;
} gdb = {.fd = -1};

bool gdb_active;

/* ---- packet I/O ---- */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
					      : c >= 'A' && c <= 'F' ? c - 'A' + 10
								     : -1;
}

static void send_packet(const char *data)
{
	size_t len = strlen(data);
	char *buf = malloc(len + 5);
	if (!buf)
		return;
	unsigned sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += (unsigned char)data[i];
	int n = snprintf(buf, len + 5, "$%s#%02x", data, sum & 0xff);
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(gdb.fd, buf + off, n - off);
		if (w <= 0)
			break;
		off += w;
	}
	free(buf);
}

/* The next packet's payload (NUL-terminated, in a static buffer) or NULL
 * when the connection is gone. Acknowledges it. */
static char *recv_packet(void)
{
	static char buf[65536];
	char c;
	for (;;) {
		if (read(gdb.fd, &c, 1) != 1)
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
	while (read(gdb.fd, &c, 1) == 1 && c != '#')
		if (n + 1 < sizeof(buf))
			buf[n++] = c;
	buf[n] = 0;
	char sum[2];
	if (read(gdb.fd, sum, 2) != 2)
		return NULL;
	if (write(gdb.fd, "+", 1) != 1)
		return NULL;
	return buf;
}

static void put_hex_le(char *out, const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", bytes[i]);
}

static size_t get_hex(const char *in, uint8_t *bytes, size_t max)
{
	size_t n = 0;
	while (n < max && hexval(in[2 * n]) >= 0 && hexval(in[2 * n + 1]) >= 0) {
		bytes[n] = (uint8_t)(hexval(in[2 * n]) << 4 | hexval(in[2 * n + 1]));
		n++;
	}
	return n;
}

/* ---- registers: gdb's amd64 layout (rax..r15, rip, eflags, segments,
 * st0-7, x87 control, xmm0-15, mxcsr) ---- */

static const int gdb_gpr[16] = {EREG_RAX, EREG_RBX, EREG_RCX, EREG_RDX, EREG_RSI, EREG_RDI,
				EREG_RBP, EREG_RSP, EREG_R8,  EREG_R9,  EREG_R10, EREG_R11,
				EREG_R12, EREG_R13, EREG_R14, EREG_R15};

static struct task *loaded_for_gdb;
static void (*load_hook)(struct task *);

static struct task *sel_task(void)
{
	struct task *t = task_find(gdb.gtid);
	if (!t || !task_is_alive(t))
		t = loaded_for_gdb;
	if (t && t != loaded_for_gdb && load_hook) {
		load_hook(t);
		loaded_for_gdb = t;
	}
	return t;
}

/* Register @n as gdb numbers them, into @buf; returns its size. */
static size_t reg_get(int n, uint8_t *buf)
{
	uint64_t v;
	memset(buf, 0, 16);
	if (n < 16) {
		v = emu_reg_read(gdb_gpr[n]);
		memcpy(buf, &v, 8);
		return 8;
	}
	if (n == 16) {
		v = emu_reg_read(EREG_RIP);
		memcpy(buf, &v, 8);
		return 8;
	}
	if (n == 17) {
		uint32_t f = (uint32_t)emu_reg_read(EREG_RFLAGS);
		memcpy(buf, &f, 4);
		return 4;
	}
	if (n < 24) { /* cs ss ds es fs gs */
		static const uint32_t sel[6] = {0x33, 0x2b, 0, 0, 0, 0};
		memcpy(buf, &sel[n - 18], 4);
		return 4;
	}
	if (n < 32) {
		emu_vreg_read(EVREG_ST0 + (n - 24), buf, 10);
		return 10;
	}
	if (n < 40) { /* fctrl fstat ftag fiseg fioff foseg fooff fop */
		uint32_t x = n == 32 ? (uint32_t)emu_reg_read(EREG_FPCW)
			     : n == 33 ? (uint32_t)emu_reg_read(EREG_FPSW)
			     : n == 34 ? (uint32_t)emu_reg_read(EREG_FPTAG)
				       : 0;
		memcpy(buf, &x, 4);
		return 4;
	}
	if (n < 56) {
		emu_vreg_read(EVREG_XMM0 + (n - 40), buf, 16);
		return 16;
	}
	uint32_t m = (uint32_t)emu_reg_read(EREG_MXCSR);
	memcpy(buf, &m, 4);
	return 4;
}

static void reg_set(int n, const uint8_t *buf)
{
	uint64_t v = 0;
	if (n < 17) {
		memcpy(&v, buf, 8);
		emu_reg_write(n < 16 ? gdb_gpr[n] : EREG_RIP, v);
	} else if (n == 17) {
		memcpy(&v, buf, 4);
		emu_reg_write(EREG_RFLAGS, v);
	} else if (n >= 40 && n < 56) {
		emu_vreg_write(EVREG_XMM0 + (n - 40), buf, 16);
	}
}

#define NREGS 57
#define XFER_TDESC "qXfer:features:read:target.xml:"

static const char target_xml[] =
	"l<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
	"<osabi>GNU/Linux</osabi></target>";

/* ---- breakpoints ---- */

bool gdb_breakpoint_at(uint64_t rip)
{
	for (int i = 0; i < gdb.nbp; i++)
		if (gdb.bp[i] == rip)
			return true;
	return false;
}

static void add_bp(uint64_t a)
{
	if (!gdb_breakpoint_at(a) && gdb.nbp < MAX_BREAKPOINTS) {
		gdb.bp[gdb.nbp++] = a;
		emu_set_breakpoints(gdb.bp, gdb.nbp);
	}
}

static void del_bp(uint64_t a)
{
	for (int i = 0; i < gdb.nbp; i++)
		if (gdb.bp[i] == a) {
			gdb.bp[i] = gdb.bp[--gdb.nbp];
			emu_set_breakpoints(gdb.bp, gdb.nbp);
			return;
		}
}

/* ---- the command loop ---- */

static void stop_reply(struct task *t, int sig)
{
	char buf[64];
	if (!t) {
		send_packet("W00");
		return;
	}
	snprintf(buf, sizeof(buf), "T%02xthread:%x;", sig, t->tid);
	gdb.gtid = t->tid; /* gdb reads the stopped thread's registers next */
	send_packet(buf);
}

static void thread_list(char *out, size_t size)
{
	size_t n = snprintf(out, size, "m");
	bool first = true;
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		if (task_is_alive(t)) {
			n += snprintf(out + n, size > n ? size - n : 0, "%s%x", first ? "" : ",",
				      t->tid);
			first = false;
		}
}

/* Serve gdb until it resumes the machine. Returns GDB_CONTINUE, GDB_STEP
 * (single-step *tp), GDB_KILL, or GDB_REVERSE_STEP/CONTINUE (bs, bc). */
static int gdb_serve(struct task **tp, int sig, void (*load)(struct task *))
{
	static char out[65536];
	load_hook = load;
	loaded_for_gdb = *tp;
	if (!gdb.gtid && *tp)
		gdb.gtid = (*tp)->tid;
	if (sig >= 0)
		stop_reply(*tp, sig);
	for (;;) {
		char *p = recv_packet();
		if (!p) { /* gdb went away: run on */
			gdb_active = false;
			return GDB_CONTINUE;
		}
		struct task *t;
		uint64_t a, l;
		switch (p[0]) {
		case '?':
			stop_reply(*tp, 5);
			break;
		case 'q':
			if (!strncmp(p, "qSupported", 10))
				send_packet(reverse_enabled ? "PacketSize=10000;qXfer:features:read+;"
							      "vContSupported+;ReverseStep+;ReverseContinue+"
							    : "PacketSize=10000;qXfer:features:read+;vContSupported+");
			else if (!strcmp(p, "qfThreadInfo")) {
				thread_list(out, sizeof(out));
				send_packet(out);
			} else if (!strcmp(p, "qsThreadInfo"))
				send_packet("l");
			else if (!strcmp(p, "qC")) {
				snprintf(out, sizeof(out), "QC%x", gdb.gtid);
				send_packet(out);
			} else if (!strcmp(p, "qAttached"))
				send_packet("1");
			else if (!strncmp(p, XFER_TDESC, strlen(XFER_TDESC))) {
				sscanf(p + strlen(XFER_TDESC), "%" SCNx64 ",%" SCNx64, &a, &l);
				size_t len = strlen(target_xml + 1);
				if (a >= len)
					send_packet("l");
				else {
					snprintf(out, sizeof(out), "%c%.*s", a + l >= len ? 'l' : 'm',
						 (int)(l < len - a ? l : len - a), target_xml + 1 + a);
					send_packet(out);
				}
			} else
				send_packet("");
			break;
		case 'H':
			if (p[1] == 'g') {
				int tid = (int)strtol(p + 2, NULL, 16);
				if (tid > 0)
					gdb.gtid = tid;
			}
			send_packet("OK");
			break;
		case 'T': {
			struct task *x = task_find((int)strtol(p + 1, NULL, 16));
			send_packet(x && task_is_alive(x) ? "OK" : "E01");
			break;
		}
		case 'g': {
			if (!(t = sel_task())) {
				send_packet("E01");
				break;
			}
			size_t n = 0;
			uint8_t b[16];
			for (int r = 0; r < NREGS; r++) {
				size_t sz = reg_get(r, b);
				put_hex_le(out + n, b, sz);
				n += 2 * sz;
			}
			out[n] = 0;
			send_packet(out);
			break;
		}
		case 'p': {
			int r = (int)strtol(p + 1, NULL, 16);
			uint8_t b[16];
			if (!(t = sel_task()) || r >= NREGS) {
				send_packet("E01");
				break;
			}
			size_t sz = reg_get(r, b);
			put_hex_le(out, b, sz);
			out[2 * sz] = 0;
			send_packet(out);
			break;
		}
		case 'P': {
			int r = (int)strtol(p + 1, NULL, 16);
			char *eq = strchr(p, '=');
			uint8_t b[16] = {0};
			if (!(t = sel_task()) || !eq || r >= NREGS) {
				send_packet("E01");
				break;
			}
			get_hex(eq + 1, b, sizeof(b));
			reg_set(r, b);
			reverse_wrote();
			send_packet("OK");
			break;
		}
		case 'G': {
			if (!(t = sel_task())) {
				send_packet("E01");
				break;
			}
			const char *h = p + 1;
			uint8_t b[16];
			for (int r = 0; r < NREGS && *h; r++) {
				size_t sz = reg_get(r, b);
				if (get_hex(h, b, sz) < sz)
					break;
				reg_set(r, b);
				h += 2 * sz;
			}
			reverse_wrote();
			send_packet("OK");
			break;
		}
		case 'm': {
			sscanf(p + 1, "%" SCNx64 ",%" SCNx64, &a, &l);
			uint8_t b[4096];
			if (l > sizeof(b))
				l = sizeof(b);
			if (!(t = sel_task()) || !t->mm || copy_from_guest(t->mm, b, a, l)) {
				send_packet("E14");
				break;
			}
			put_hex_le(out, b, l);
			out[2 * l] = 0;
			send_packet(out);
			break;
		}
		case 'M': {
			sscanf(p + 1, "%" SCNx64 ",%" SCNx64, &a, &l);
			char *colon = strchr(p, ':');
			uint8_t b[4096];
			if (!colon || l > sizeof(b) || !(t = sel_task()) || !t->mm ||
			    get_hex(colon + 1, b, l) < l || mm_poke(t->mm, a, b, l)) {
				send_packet("E14");
				break;
			}
			reverse_wrote();
			send_packet("OK");
			break;
		}
		case 'Z':
		case 'z':
			if (p[1] != '0') {
				send_packet(""); /* only software breakpoints */
				break;
			}
			sscanf(p + 3, "%" SCNx64, &a);
			if (p[0] == 'Z')
				add_bp(a);
			else
				del_bp(a);
			send_packet("OK");
			break;
		case 'b': /* bs, bc: reverse step and continue (emu/reverse.c) */
			if (!reverse_enabled || (p[1] != 's' && p[1] != 'c')) {
				send_packet("");
				break;
			}
			if ((t = sel_task()))
				*tp = t;
			return p[1] == 's' ? GDB_REVERSE_STEP : GDB_REVERSE_CONTINUE;
		case 'c':
			return GDB_CONTINUE;
		case 's':
			if ((t = sel_task()))
				*tp = t;
			return GDB_STEP;
		case 'v':
			if (!strcmp(p, "vCont?")) {
				send_packet("vCont;c;C;s;S");
			} else if (!strncmp(p, "vCont;", 6)) {
				/* The first action decides: a step of one thread or a
				 * continue of all. */
				char act = p[6];
				if (act == 's' || act == 'S') {
					char *colon = strchr(p + 6, ':');
					int tid = colon ? (int)strtol(colon + 1, NULL, 16) : gdb.gtid;
					struct task *x = task_find(tid);
					if (x && task_is_alive(x))
						*tp = x;
					return GDB_STEP;
				}
				return GDB_CONTINUE;
			} else if (!strncmp(p, "vKill", 5)) {
				send_packet("OK");
				return GDB_KILL;
			} else {
				send_packet("");
			}
			break;
		case 'k':
			return GDB_KILL;
		case 'D':
			send_packet("OK");
			gdb_active = false;
			emu_set_breakpoints(NULL, 0);
			return GDB_CONTINUE;
		default:
			send_packet("");
		}
	}
}

int gdb_stopped(struct task **tp, int sig, void (*load)(struct task *))
{
	/* Reverse execution records how gdb resumed, and replays it. */
	return reverse_gdb_stopped(tp, sig, load, gdb_serve);
}

void gdb_stop_note(struct task *t, const char *note)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "T05%sthread:%x;", note, t ? t->tid : 0);
	if (t)
		gdb.gtid = t->tid;
	send_packet(buf);
}

int gdb_breakpoints(uint64_t *out, int max)
{
	int n = gdb.nbp < max ? gdb.nbp : max;
	memcpy(out, gdb.bp, (size_t)n * sizeof(*out));
	return n;
}

void gdb_set_breakpoint_list(const uint64_t *addrs, int n)
{
	gdb.nbp = n < MAX_BREAKPOINTS ? n : MAX_BREAKPOINTS;
	memcpy(gdb.bp, addrs, (size_t)gdb.nbp * sizeof(*addrs));
	emu_set_breakpoints(gdb.bp, gdb.nbp);
}

void gdb_exited(int status)
{
	char buf[16];
	if (!gdb_active)
		return;
	snprintf(buf, sizeof(buf), "W%02x", status & 0xff);
	send_packet(buf);
	close(gdb.fd);
	gdb.fd = -1;
	gdb_active = false;
}

int gdb_listen(int port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, 1)) {
		int e = -errno;
		close(s);
		return e;
	}
	fprintf(stderr, "cloneemu: waiting for gdb on 127.0.0.1:%d\n", port);
	gdb.fd = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	close(s);
	if (gdb.fd < 0)
		return -errno;
	setsockopt(gdb.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	gdb_active = true;
	return 0;
}
