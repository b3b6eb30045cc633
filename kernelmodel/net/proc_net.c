/* /proc/net and /proc/sys/net of the model's network namespaces: see
 * proc_net.h. Formats are Linux's seq_show functions'. */
#include "kernelmodel/net/proc_net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/libfs.h"
#include "kernelmodel/net/inet_model.h"
#include "kernelmodel/net/net_namespace.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

#define INIT_NET_INUM 0xF0000098u /* nsproxy.c's initial network namespace */

/* ---- the namespace's sockets ---- */

/* Every socket of namespace @inum that some descriptor table holds, once. */
struct sock_list {
	struct unix_sock **s;
	int n, cap;
};

static void collect(uint64_t inum, struct sock_list *l)
{
	for (struct task *p = task_next(NULL); p; p = task_next(p)) {
		if (!p->files || !task_is_alive(p))
			continue;
		for (int fd = 0; fd < p->files->max; fd++) {
			struct file *f = p->files->fd[fd].file;
			if (!f || f->kind != FILE_SOCKET || f->sk->sk_net_inum != inum)
				continue;
			int i = 0;
			while (i < l->n && l->s[i] != f->sk)
				i++;
			if (i < l->n)
				continue;
			if (l->n == l->cap) {
				int cap = l->cap ? 2 * l->cap : 16;
				struct unix_sock **s = realloc(l->s, cap * sizeof(*s));
				if (!s)
					return;
				l->s = s;
				l->cap = cap;
			}
			l->s[l->n++] = f->sk;
		}
	}
}

enum { TCP_ESTABLISHED_ = 1, TCP_FIN_WAIT2_ = 5, TCP_CLOSE_ = 7, TCP_CLOSE_WAIT_ = 8,
       TCP_LISTEN_ = 10 };

/* The TCP state a model socket stands for; 0: not in the TCP tables. */
static int tcp_state(const struct unix_sock *u)
{
	if (u->state == UNIX_LISTEN)
		return TCP_LISTEN_;
	if (u->state != UNIX_ESTABLISHED || !u->inet->connected)
		return 0; /* unbound or only bound: in no table /proc lists */
	if (!u->peer || u->peer->dead)
		return TCP_CLOSE_WAIT_;
	if (u->shutdown & 2) /* SEND_SHUTDOWN */
		return TCP_FIN_WAIT2_;
	return TCP_ESTABLISHED_;
}

static int rx_queue(struct unix_sock *u)
{
	if (u->state == UNIX_LISTEN)
		return u->qlen; /* sk_ack_backlog: connections not yet accepted */
	int v = 0;
	unix_inq_len(u, &v);
	return v;
}

/* An address as the seq files print it: the be32 words as host integers. */
static void put_addr(FILE *out, const uint8_t *a, bool v6)
{
	for (int i = 0; i < (v6 ? 4 : 1); i++) {
		uint32_t w;
		memcpy(&w, a + 4 * i, 4);
		fprintf(out, "%08X", w);
	}
}

/* tcp4_seq_show/tcp6_seq_show, udp4_seq_show/udp6_seq_show. */
static void show_inet(const struct task *viewer, struct sock_list *l, int family, int proto,
		      FILE *out)
{
	static const char tcp_hdr[] = "  sl  local_address rem_address   st tx_queue rx_queue tr "
				      "tm->when retrnsmt   uid  timeout inode";
	static const char udp_hdr[] = "   sl  local_address rem_address   st tx_queue rx_queue tr "
				      "tm->when retrnsmt   uid  timeout inode ref pointer drops";
	static const char v6_hdr[] = "  sl  local_address                         remote_address   "
				     "                     st tx_queue rx_queue tr tm->when retrnsmt   "
				     "uid  timeout inode";
	bool v6 = family == AF_INET6, tcp = proto == IPPROTO_TCP;
	if (v6)
		fprintf(out, "%s%s\n", v6_hdr, tcp ? "" : " ref pointer drops");
	else
		fprintf(out, "%-*s\n", tcp ? 149 : 127, tcp ? tcp_hdr : udp_hdr);
	int sl = 0;
	for (int i = 0; i < l->n; i++) {
		struct unix_sock *u = l->s[i];
		struct inet_sock *in = u->inet;
		if (!in || in->family != family || in->protocol != proto)
			continue;
		int st = tcp ? tcp_state(u) : in->connected ? TCP_ESTABLISHED_ : TCP_CLOSE_;
		if (!st || (!tcp && !in->bound))
			continue;
		static const uint8_t none[16];
		char line[256];
		FILE *m = fmemopen(line, sizeof(line), "w");
		if (!m)
			return;
		fprintf(m, tcp ? "%4d: " : "%5d: ", sl++);
		uint8_t local[16];
		memcpy(local, in->laddr, 16);
		if (in->connected && !memcmp(local, none, 16)) {
			/* the route's source address, as getsockname reports */
			if (v6)
				local[15] = 1;
			else
				memcpy(local, (uint8_t[4]){127, 0, 0, 1}, 4);
		}
		put_addr(m, local, v6);
		fprintf(m, ":%04X ", in->lport);
		put_addr(m, in->connected ? in->raddr : none, v6);
		fprintf(m, ":%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016lx",
			in->connected ? in->rport : 0, st, 0, rx_queue(u), 0, 0ul, 0,
			from_kuid_munged(viewer, in->uid), 0, (unsigned long)u->ino, tcp ? 1 : 2, 0ul);
		if (tcp)
			fputs(st == TCP_LISTEN_ ? " 100 0 0 10 0" : " 20 4 30 10 -1", m);
		else
			fputs(" 0", m);
		fclose(m);
		line[sizeof(line) - 1] = 0;
		if (v6)
			fprintf(out, "%s\n", line);
		else
			fprintf(out, "%-*s\n", tcp ? 149 : 127, line);
	}
}

/* unix_seq_show. */
static void show_unix(struct sock_list *l, FILE *out)
{
	fputs("Num       RefCount Protocol Flags    Type St Inode Path\n", out);
	for (int i = 0; i < l->n; i++) {
		struct unix_sock *u = l->s[i];
		if (u->inet)
			continue;
		fprintf(out, "%016lx: %08X %08X %08X %04X %02X %5lu", 0ul, 2u, 0u,
			u->state == UNIX_LISTEN ? 0x10000u : 0u, (unsigned)u->type,
			u->state == UNIX_ESTABLISHED ? 3u : 1u, (unsigned long)u->ino);
		if (u->addr_len > 2) {
			const uint8_t *p = u->addr + 2;
			int len = u->addr_len - 2;
			fputc(' ', out);
			if (p[0]) {
				fprintf(out, "%.*s", len, (const char *)p);
			} else {
				for (int k = 0; k < len; k++)
					fputc(k == 0 || !p[k] ? '@' : p[k], out);
			}
		}
		fputc('\n', out);
	}
}

static void show_sockstat(struct sock_list *l, bool v6, FILE *out)
{
	int n[2][2] = {{0}}; /* [tcp, udp][v4, v6] in use */
	int socks = 0;
	for (int i = 0; i < l->n; i++) {
		struct unix_sock *u = l->s[i];
		struct inet_sock *in = u->inet;
		socks++;
		if (!in || (in->family != AF_INET && in->family != AF_INET6))
			continue;
		bool tcp = in->protocol == IPPROTO_TCP;
		if (tcp ? u->state == UNIX_LISTEN || tcp_state(u) : in->bound)
			n[tcp ? 0 : 1][in->family == AF_INET6]++;
	}
	if (v6) {
		fprintf(out, "TCP6: inuse %d\nUDP6: inuse %d\nUDPLITE6: inuse 0\nRAW6: inuse 0\n"
			     "FRAG6: inuse 0 memory 0\n",
			n[0][1], n[1][1]);
		return;
	}
	fprintf(out, "sockets: used %d\nTCP: inuse %d orphan 0 tw 0 alloc %d mem 0\n", socks,
		n[0][0] + n[0][1], n[0][0] + n[0][1]);
	fprintf(out, "UDP: inuse %d mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n",
		n[1][0] + n[1][1]);
}

/* ---- interfaces and routes ---- */

static const char null_route[] = "00000000000000000000000000000000 00 "
				 "00000000000000000000000000000000 00 "
				 "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 "
				 "      lo\n";

static int show(const struct task *viewer, struct net_model *net, const char *name, FILE *out)
{
	static const char v6_raw_hdr[] = "  sl  local_address                         remote_address "
					 "                       st tx_queue rx_queue tr tm->when "
					 "retrnsmt   uid  timeout inode ref pointer drops\n";
	static const char udp_hdr[] = "   sl  local_address rem_address   st tx_queue rx_queue tr "
				      "tm->when retrnsmt   uid  timeout inode ref pointer drops";
	bool up = net_lo_up(net);
	if (!strcmp(name, "dev")) {
		fputs("Inter-|   Receive                                                |  Transmit\n"
		      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
		      "packets errs drop fifo colls carrier compressed\n",
		      out);
		fprintf(out, "%6s:%8d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d\n",
			"lo", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	} else if (!strcmp(name, "if_inet6")) {
		if (up) /* ::1/128, host scope, permanent */
			fprintf(out, "%032x %02x %02x %02x %02x %8s\n", 1, LOOPBACK_IFINDEX, 128, 0x10,
				0x80, "lo");
	} else if (!strcmp(name, "route")) {
		if (net->lo_was_up) /* the main table exists, empty */
			fprintf(out, "%-127s\n", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\t"
						 "Metric\tMask\t\tMTU\tWindow\tIRTT");
	} else if (!strcmp(name, "ipv6_route")) {
		fputs(null_route, out);
		if (up)
			fputs("00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
			      "00000000000000000000000000000000 00000000 00000002 00000000 80200001 "
			      "      lo\n",
			      out);
		fputs(null_route, out);
	} else if (!strcmp(name, "raw")) {
		fputs("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
		      "uid  timeout inode ref pointer drops\n",
		      out);
	} else if (!strcmp(name, "raw6") || !strcmp(name, "udplite6")) {
		fputs(v6_raw_hdr, out);
	} else if (!strcmp(name, "udplite")) {
		fprintf(out, "%-127s\n", udp_hdr);
	} else if (!strcmp(name, "packet")) {
		fputs("sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n", out);
	} else if (!strcmp(name, "arp")) {
		fputs("IP address       HW type     Flags       HW address            Mask     Device\n",
		      out);
	} else {
		static const struct {
			const char *name;
			int family, proto;
		} socks[] = {{"tcp", AF_INET, IPPROTO_TCP},
			     {"tcp6", AF_INET6, IPPROTO_TCP},
			     {"udp", AF_INET, IPPROTO_UDP},
			     {"udp6", AF_INET6, IPPROTO_UDP},
			     {"unix", AF_UNIX, 0},
			     {"sockstat", 0, 0},
			     {"sockstat6", 0, 1}};
		size_t i = 0;
		while (i < sizeof(socks) / sizeof(socks[0]) && strcmp(name, socks[i].name))
			i++;
		if (i == sizeof(socks) / sizeof(socks[0]))
			return -ENOENT; /* not modeled (README) */
		struct sock_list l = {0};
		collect(net->inum, &l);
		if (socks[i].family == AF_UNIX)
			show_unix(&l, out);
		else if (!socks[i].family)
			show_sockstat(&l, socks[i].proto, out);
		else
			show_inet(viewer, &l, socks[i].family, socks[i].proto, out);
		free(l.s);
	}
	return 0;
}

static const char *const net_files[] = {"arp",	    "dev",	"if_inet6", "ipv6_route",
					"packet",   "raw",	"raw6",	    "route",
					"sockstat", "sockstat6", "tcp",	    "tcp6",
					"udp",	    "udp6",	"udplite",  "udplite6",
					"unix"};

/* A host memfd holding what @fill wrote, as a read-only /proc file. */
static int snapshot(const char *data, size_t len, const char *path, struct file **out)
{
	int fd = proc_snapshot_fd(data, len);
	if (fd < 0)
		return fd;
	if (!(*out = file_host_alloc(fd, path))) {
		close(fd);
		return -ENOMEM;
	}
	return 1;
}

int proc_net_open(struct task *viewer, struct task *target, const char *rest, const char *path,
		  int flags, struct file **out)
{
	if (!target->nsproxy)
		return -ENOENT;
	uint64_t inum = target->nsproxy->ns[NS_NET]->inum;
	if (inum == INIT_NET_INUM) {
		if (!strncmp(path, "/proc/net", 9))
			return 0; /* the host's own /proc/net */
		/* /proc/<pid>/net of the initial namespace: cloneemu's, the host's. */
		char host[PATH_MAX];
		if (snprintf(host, sizeof(host), "/proc/self/net%s", rest) >= (int)sizeof(host))
			return -ENAMETOOLONG;
		int fd = open(host, (flags & ~(O_CREAT | O_TRUNC)) | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (!(*out = file_host_alloc(fd, path))) {
			close(fd);
			return -ENOMEM;
		}
		return 1;
	}
	struct net_model *net = net_model_of(inum);
	if (!net)
		return -ENOMEM;
	if (!*rest || !strcmp(rest, "/")) {
		struct dirlist *d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		int r = dirlist_add(d, ".", DT_DIR, 0) | dirlist_add(d, "..", DT_DIR, 0);
		for (size_t i = 0; i < sizeof(net_files) / sizeof(net_files[0]); i++)
			r |= dirlist_add(d, net_files[i], DT_REG, 0);
		if (r || !(*out = file_dir_alloc(d, path))) {
			free(d->e);
			free(d);
			return -ENOMEM;
		}
		return 1;
	}
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES; /* 0444 */
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	char *data = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&data, &len);
	if (!mem)
		return -ENOMEM;
	int r = show(viewer, net, rest + 1, mem);
	fclose(mem);
	if (!r)
		r = snapshot(data, len, path, out);
	free(data);
	return r;
}

/* ---- /proc/sys/net ---- */

/* The sysctls kept per namespace, with the values a new namespace has;
 * @inherit: IPv4's conf values are copied from the initial namespace
 * (net.core.devconf_inherit_init_net 0: devinet_init_net), here the
 * host's. Writing ip_forward or conf/all/forwarding sets all forwarding
 * values (devinet_sysctl_forward's inet_forward_change). */
static const struct net_ctl {
	const char *name;
	const char *init;
	const char *inherit; /* the host's file to copy, or NULL */
	bool forward_all;
} net_ctls[] = {
	{"core/somaxconn", "4096", NULL, false},
	{"ipv4/conf/all/forwarding", "0", "/proc/sys/net/ipv4/conf/all/forwarding", true},
	{"ipv4/conf/default/forwarding", "0", "/proc/sys/net/ipv4/conf/default/forwarding", false},
	{"ipv4/conf/lo/forwarding", "0", "/proc/sys/net/ipv4/conf/default/forwarding", false},
	{"ipv4/ip_default_ttl", "64", NULL, false},
	{"ipv4/ip_forward", "0", "/proc/sys/net/ipv4/conf/all/forwarding", true},
	{"ipv4/ip_local_port_range", "32768\t60999", NULL, false},
	{"ipv4/ip_nonlocal_bind", "0", NULL, false},
	{"ipv4/ip_unprivileged_port_start", "1024", NULL, false},
	{"ipv4/ping_group_range", "1\t0", NULL, false},
	{"ipv4/tcp_fin_timeout", "60", NULL, false},
	{"ipv4/tcp_keepalive_intvl", "75", NULL, false},
	{"ipv4/tcp_keepalive_probes", "9", NULL, false},
	{"ipv4/tcp_keepalive_time", "7200", NULL, false},
	{"ipv4/tcp_syncookies", "1", NULL, false},
	{"ipv6/conf/all/disable_ipv6", "0", NULL, false},
	{"ipv6/conf/all/forwarding", "0", NULL, false},
	{"ipv6/conf/default/disable_ipv6", "0", NULL, false},
	{"ipv6/conf/default/forwarding", "0", NULL, false},
	{"ipv6/conf/lo/disable_ipv6", "0", NULL, false},
	{"ipv6/conf/lo/forwarding", "0", NULL, false},
	{"unix/max_dgram_qlen", "512", NULL, false},
};
#define NCTLS (sizeof(net_ctls) / sizeof(net_ctls[0]))
_Static_assert(NCTLS <= NET_CTL_MAX, "net_model.ctl too small");

static long read_host_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size);
	close(fd);
	return n;
}

void proc_net_init_ctls(struct net_model *net)
{
	for (size_t i = 0; i < NCTLS; i++) {
		char buf[64];
		if (!net_ctls[i].inherit)
			continue;
		/* Recorded: a replay sees the values the recorded run inherited. */
		long n = RR_SYS(read_host_file(net_ctls[i].inherit, buf, sizeof(buf) - 1));
		if (n > 0)
			rr_bytes(buf, (size_t)n);
		if (n > 0) {
			buf[n] = 0;
			buf[strcspn(buf, "\n")] = 0;
			net->ctl[i] = strdup(buf);
		}
	}
}

static const char *ctl_value(const struct net_model *net, size_t i)
{
	return net->ctl[i] ? net->ctl[i] : net_ctls[i].init;
}

/* proc_dointvec: as many integers as the value has, tab-separated. */
static int ctl_store(struct net_model *net, size_t i, const char *text)
{
	int want = 1;
	for (const char *p = net_ctls[i].init; *p; p++)
		want += *p == '\t';
	char out[64] = "";
	const char *p = text;
	for (int k = 0; k < want; k++) {
		char *end;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		long v = strtol(p, &end, 10);
		if (end == p || v < INT32_MIN || v > INT32_MAX)
			return -EINVAL;
		p = end;
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%ld", k ? "\t" : "", v);
	}
	for (size_t j = 0; j < NCTLS; j++) {
		/* forwarding: all of IPv4's at once, as inet_forward_change */
		bool set = j == i || (net_ctls[i].forward_all && !strncmp(net_ctls[j].name, "ipv4/", 5) &&
				      strstr(net_ctls[j].name, "forward"));
		if (!set)
			continue;
		char *s = strdup(out);
		if (!s)
			return -ENOMEM;
		free(net->ctl[j]);
		net->ctl[j] = s;
	}
	return 0;
}

struct ctl_file {
	struct net_model *net; /* never freed (net_namespace.h) */
	size_t idx;
	uint64_t pos;
};

static long ctl_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct ctl_file *cf = f->priv;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	char text[80];
	int len = snprintf(text, sizeof(text), "%s\n", ctl_value(cf->net, cf->idx));
	return simple_read_from_buffer(t, buf, count, &cf->pos, text, (size_t)len);
}

static long ctl_write(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct ctl_file *cf = f->priv;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	char text[256];
	int r = copy_from_guest_nul(t, text, sizeof(text), buf, count);
	if (!r)
		r = ctl_store(cf->net, cf->idx, text);
	if (r)
		return r;
	cf->pos += count;
	return (long)count;
}

static short ctl_poll(struct task *t, struct file *f)
{
	(void)t;
	(void)f;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static void ctl_release(struct file *f)
{
	free(f->priv);
}

static const struct anon_file_ops net_ctl_fops = {
	.name = "[sysctl]",
	.read = ctl_read,
	.write = ctl_write,
	.poll = ctl_poll,
	.release = ctl_release,
};

int proc_sys_net_open(struct task *t, const char *path, int flags, struct file **out)
{
	if (strncmp(path, "/proc/sys/net/", 14) || !t->nsproxy)
		return 0;
	uint64_t inum = t->nsproxy->ns[NS_NET]->inum;
	if (inum == INIT_NET_INUM)
		return 0;
	const char *name = path + 14;
	size_t i = 0;
	while (i < NCTLS && strcmp(name, net_ctls[i].name))
		i++;
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	if (i == NCTLS) /* the host's value; never the host's to change from here */
		return writing ? -EACCES : 0;
	struct net_model *net = net_model_of(inum);
	if (!net)
		return -ENOMEM;
	if (!writing) {
		char text[80];
		int len = snprintf(text, sizeof(text), "%s\n", ctl_value(net, i));
		return snapshot(text, (size_t)len, path, out);
	}
	if (t->cred->euid != 0) /* 0644, root's */
		return -EACCES;
	struct ctl_file *cf = calloc(1, sizeof(*cf));
	if (!cf)
		return -ENOMEM;
	cf->net = net;
	cf->idx = i;
	struct file *f = anon_inode_getfile(&net_ctl_fops, cf, flags & O_NONBLOCK);
	if (!f) {
		free(cf);
		return -ENOMEM;
	}
	f->flags = flags & (O_ACCMODE | O_NONBLOCK | O_APPEND);
	*out = f;
	return 1;
}
