/*
 * netlink_ifaddrs: the interfaces through NETLINK_ROUTE and the interface
 * ioctls. Prints only what is the same natively and under cloneemu: the
 * loopback's name, index 1, flags UP and LOOPBACK, its 127.0.0.1 and ::1.
 *
 *   - getifaddrs (RTM_GETLINK and RTM_GETADDR dumps) lists lo with AF_INET
 *     127.0.0.1 and AF_INET6 ::1
 *   - if_nametoindex("lo") == 1, if_indextoname(1) == "lo", if_nameindex
 *     has lo
 *   - ioctl SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFFLAGS, SIOCGIFCONF list lo
 *   - a netlink socket's own address, an unknown netlink protocol
 *     EPROTONOSUPPORT, SIOCGIFINDEX of a missing name ENODEV
 */
#include "unix_check.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>

#ifndef NETLINK_ROUTE
#define NETLINK_ROUTE 0
#endif
/* linux/netlink.h's, which musl's headers lack. */
struct nl_addr {
	unsigned short nl_family, nl_pad;
	unsigned int nl_pid, nl_groups;
};

int main(void)
{
	guest_line_buffered();
	struct ifaddrs *ifa = NULL;
	check(getifaddrs(&ifa) == 0, 1, "getifaddrs");
	int lo4 = 0, lo6 = 0, lopkt = 0;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (strcmp(i->ifa_name, "lo"))
			continue;
		if (!(i->ifa_flags & IFF_UP) || !(i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
			lo4++;
		if (i->ifa_addr->sa_family == AF_INET6 &&
		    !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &in6addr_loopback, 16))
			lo6++;
		if (i->ifa_addr->sa_family == AF_PACKET)
			lopkt++;
	}
	check(lo4 == 1, 2, "lo UP|LOOPBACK 127.0.0.1");
	check(lo6 == 1, 3, "lo UP|LOOPBACK ::1");
	check(lopkt == 1, 4, "lo AF_PACKET (link) entry");
	if (ifa)
		freeifaddrs(ifa);

	check(if_nametoindex("lo") == 1, 5, "if_nametoindex(lo) == 1");
	char name[IF_NAMESIZE];
	check(if_indextoname(1, name) && !strcmp(name, "lo"), 6, "if_indextoname(1) == lo");
	struct if_nameindex *ni = if_nameindex();
	int found = 0;
	for (struct if_nameindex *p = ni; p && p->if_index; p++)
		found += p->if_index == 1 && !strcmp(p->if_name, "lo");
	check(found == 1, 7, "if_nameindex lists lo");
	if (ni)
		if_freenameindex(ni);
	check(if_nametoindex("nosuchif0") == 0 && errno == ENODEV, 8,
	      "if_nametoindex(nosuchif0): ENODEV");

	int r, s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	check(ioctl(s, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == 1, 9, "SIOCGIFINDEX lo");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = 1;
	check(ioctl(s, SIOCGIFNAME, &ifr) == 0 && !strcmp(ifr.ifr_name, "lo"), 10,
	      "SIOCGIFNAME 1");
	check(ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) &&
		  (ifr.ifr_flags & IFF_LOOPBACK),
	      11, "SIOCGIFFLAGS lo: UP|LOOPBACK");
	strcpy(ifr.ifr_name, "nosuchif0");
	errno = 0;
	r = ioctl(s, SIOCGIFINDEX, &ifr);
	check(r == -1 && errno == ENODEV, 12, "SIOCGIFINDEX nosuchif0 -> ENODEV");
	struct ifreq reqs[32];
	struct ifconf ifc = {.ifc_len = sizeof(reqs), .ifc_req = reqs};
	int lo_conf = 0;
	if (ioctl(s, SIOCGIFCONF, &ifc) == 0)
		for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++)
			lo_conf += !strcmp(reqs[i].ifr_name, "lo") &&
				   ((struct sockaddr_in *)&reqs[i].ifr_addr)->sin_addr.s_addr ==
				       htonl(INADDR_LOOPBACK);
	check(lo_conf == 1, 13, "SIOCGIFCONF lists lo 127.0.0.1");
	ifc = (struct ifconf){.ifc_len = 0, .ifc_req = NULL};
	check(ioctl(s, SIOCGIFCONF, &ifc) == 0 && ifc.ifc_len > 0 &&
		  ifc.ifc_len % sizeof(struct ifreq) == 0,
	      14, "SIOCGIFCONF with no buffer: the size needed");
	EXPECT_ERR(ioctl(s, SIOCGIFFLAGS, (void *)8), EFAULT, 15, "SIOCGIFFLAGS bad pointer");
	close(s);

	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	check(nl >= 0, 16, "socket(AF_NETLINK, NETLINK_ROUTE)");
	struct nl_addr sn = {.nl_family = AF_NETLINK};
	check(bind(nl, (struct sockaddr *)&sn, sizeof(sn)) == 0, 17, "bind netlink");
	socklen_t sl = sizeof(sn);
	check(getsockname(nl, (struct sockaddr *)&sn, &sl) == 0 && sl == sizeof(sn) &&
		  sn.nl_family == AF_NETLINK && sn.nl_pid != 0,
	      18, "netlink getsockname: a port id");
	check(sockopt_int(nl, SO_PROTOCOL) == NETLINK_ROUTE, 19, "SO_PROTOCOL NETLINK_ROUTE");
	close(nl);
	EXPECT_ERR(socket(AF_NETLINK, SOCK_RAW, 31), EPROTONOSUPPORT, 20, "netlink protocol 31");
	EXPECT_ERR(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT, 21,
		   "netlink SOCK_STREAM");
	return guest_finish();
}
