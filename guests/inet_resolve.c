/*
 * inet_resolve: what getaddrinfo/getnameinfo need from the model, without
 * the internet: /etc/hosts ("localhost"), numeric hosts and services, the
 * UDP socket the resolver opens for DNS (connect to the nameserver and
 * getsockname), and a TCP connection to an address getaddrinfo gave.
 */
#include "unix_check.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

int main(void)
{
	guest_line_buffered();
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	int r = getaddrinfo("localhost", "80", &hints, &res);
	check(r == 0 && res, 1, "getaddrinfo(localhost, 80, AF_INET): %s", r ? gai_strerror(r) : "0");
	if (!r) {
		struct sockaddr_in *a = (struct sockaddr_in *)res->ai_addr;
		check(a->sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(a->sin_port) == 80, 2,
		      "localhost is 127.0.0.1 port 80");
		freeaddrinfo(res);
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_NUMERICHOST;
	r = getaddrinfo("::1", "8080", &hints, &res);
	check(r == 0 && res && res->ai_family == AF_INET6, 3, "getaddrinfo(::1) numeric");
	if (!r)
		freeaddrinfo(res);
	hints.ai_flags = AI_PASSIVE;
	hints.ai_family = AF_INET;
	r = getaddrinfo(NULL, "0", &hints, &res);
	check(r == 0, 4, "getaddrinfo(NULL, 0, AI_PASSIVE)");
	int s = r ? -1 : socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	check(s >= 0 && bind(s, res->ai_addr, res->ai_addrlen) == 0 && listen(s, 1) == 0, 5,
	      "bind and listen on it");
	if (!r)
		freeaddrinfo(res);
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	getsockname(s, (struct sockaddr *)&sa, &sl);
	char port[16];
	snprintf(port, sizeof(port), "%d", ntohs(sa.sin_port));
	hints = (struct addrinfo){0};
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo("localhost", port, &hints, &res);
	int c = r ? -1 : socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	check(c >= 0 && connect(c, res->ai_addr, res->ai_addrlen) == 0, 6,
	      "connect to localhost:<port>");
	if (!r)
		freeaddrinfo(res);
	int a = accept(s, NULL, NULL);
	check(a >= 0, 7, "accepted");
	char host[64], serv[16];
	sl = sizeof(sa);
	getpeername(c, (struct sockaddr *)&sa, &sl);
	r = getnameinfo((struct sockaddr *)&sa, sl, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV);
	check(r == 0 && !strcmp(host, "127.0.0.1") && !strcmp(serv, port), 8,
	      "getnameinfo numeric: 127.0.0.1");
	r = getnameinfo((struct sockaddr *)&sa, sl, host, sizeof(host), NULL, 0, NI_NAMEREQD);
	check(r == 0 && !strcmp(host, "localhost"), 9, "getnameinfo(127.0.0.1) is localhost");
	struct hostent *he = gethostbyname("localhost");
	check(he && he->h_addrtype == AF_INET, 10, "gethostbyname(localhost)");
	close(a);
	close(c);
	close(s);
	return guest_finish();
}
