/* /proc/net and /proc/sys/net of a network namespace of the model
 * (net/core/net-procfs.c, net/ipv4/tcp_ipv4.c, udp.c, net/unix/af_unix.c,
 * net/ipv6/addrconf.c, route.c, net/sysctl_net.c).
 *
 * A task in a namespace made by clone(CLONE_NEWNET) or unshare sees its
 * namespace there, built from the model's interfaces and sockets: dev (lo),
 * tcp, tcp6, udp, udp6 (the namespace's inet sockets, found through the
 * descriptor tables), unix (the AF_UNIX sockets made in it), if_inet6,
 * route, ipv6_route, sockstat, sockstat6 and the empty tables (raw, raw6,
 * udplite, udplite6, packet, arp). /proc/<pid>/net is the namespace of
 * <pid>; /proc/net that of the reader. The initial namespace's files are
 * the host's. */
#ifndef KERNELMODEL_NET_PROC_NET_H
#define KERNELMODEL_NET_PROC_NET_H

struct file;
struct net_model;
struct task;

/* A new namespace's sysctl values: IPv4's conf ones from the initial
 * namespace (the host's), the rest Linux's defaults. */
void proc_net_init_ctls(struct net_model *net);

/* open of "/proc/net<@rest>" (@rest "" or "/<name>") as @viewer sees the
 * namespace of @target, @path the name opened. 1 with *@out when the
 * model answers, 0 when the host's file is the one (the initial
 * namespace seen through /proc/net), or -errno. */
int proc_net_open(struct task *viewer, struct task *target, const char *rest, const char *path,
		  int flags, struct file **out);
/* open of /proc/sys/net/... by @t: the values of @t's namespace for the
 * sysctls the model keeps per namespace (readable, and writable by root);
 * any other file of a modeled namespace is read from the host and cannot
 * be written (EACCES). 1 with *@out, 0 (the host's file), or -errno. */
int proc_sys_net_open(struct task *t, const char *path, int flags, struct file **out);

#endif
