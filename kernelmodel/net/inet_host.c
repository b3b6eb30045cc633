/* Host sockets of the initial network namespace (see inet_host.h). */
#include "kernelmodel/net/inet_host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kernelmodel/files.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/rr.h"

#ifndef SO_RCVTIMEO_NEW
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67
#endif

static int file_for(int hfd, const struct host_sock *tmpl, bool nonblock, struct file **out)
{
	struct host_sock *hs = malloc(sizeof(*hs));
	struct file *f = hs ? file_host_alloc(hfd, NULL) : NULL;
	if (!f) {
		free(hs);
		if (!rr_replaying)
			close(hfd);
		return -ENOMEM;
	}
	*hs = *tmpl;
	f->hsk = hs;
	f->flags = O_RDWR | (nonblock ? O_NONBLOCK : 0);
	*out = f;
	return 0;
}

int host_sock_create(int family, int type, int protocol, bool nonblock, struct file **out)
{
	long hfd = RR_SYS(socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
	if (hfd < 0)
		return (int)hfd;
	struct host_sock tmpl = {family, type, protocol, 0, 0};
	/* The protocol the host picked for 0 (SO_PROTOCOL). */
	int proto = protocol;
	socklen_t l = sizeof(proto);
	if (RR_SYS(getsockopt((int)hfd, SOL_SOCKET, SO_PROTOCOL, &proto, &l)) == 0)
		rr_bytes(&proto, sizeof(proto));
	tmpl.protocol = proto;
	return file_for((int)hfd, &tmpl, nonblock, out);
}

int host_sock_accepted(struct file *lf, int hfd, bool nonblock, struct file **out)
{
	return file_for(hfd, lf->hsk, nonblock, out);
}

long host_sock_accept(struct file *f, void *addr, int *alen)
{
	socklen_t l = 128;
	long r = RR_SYS(accept4(f->host_fd, addr, &l, SOCK_NONBLOCK | SOCK_CLOEXEC));
	if (r >= 0) {
		rr_bytes(&l, sizeof(l));
		if (l > 128)
			l = 128;
		rr_bytes(addr, l);
		*alen = (int)l;
	}
	return r;
}

long host_sock_sendmsg(struct file *f, struct msghdr *mh, int flags)
{
	return RR_SYS(sendmsg(f->host_fd, mh, flags | MSG_DONTWAIT | MSG_NOSIGNAL));
}

long host_sock_recvmsg(struct file *f, struct msghdr *mh, int flags)
{
	size_t namecap = mh->msg_namelen, ctlcap = mh->msg_controllen;
	long r = RR_SYS(recvmsg(f->host_fd, mh, flags | MSG_DONTWAIT));
	if (r == -EFAULT) {
		/* The copy reached the guest's first fault (mm_fault_base's
		 * segment): what came before it was stored, as in Linux. */
		int k = 0;
		size_t before = 0;
		while (k < (int)mh->msg_iovlen && mh->msg_iov[k].iov_base != mm_fault_base())
			before += mh->msg_iov[k++].iov_len;
		if (k < (int)mh->msg_iovlen)
			rr_iov(mh->msg_iov, k, before);
	}
	if (r < 0)
		return r;
	/* With MSG_TRUNC the count is the datagram's length, not what fit. */
	size_t room = 0;
	for (size_t i = 0; i < mh->msg_iovlen; i++)
		room += mh->msg_iov[i].iov_len;
	rr_iov(mh->msg_iov, (int)mh->msg_iovlen, (size_t)r < room ? (size_t)r : room);
	rr_bytes(&mh->msg_namelen, sizeof(mh->msg_namelen));
	rr_bytes(&mh->msg_controllen, sizeof(mh->msg_controllen));
	rr_bytes(&mh->msg_flags, sizeof(mh->msg_flags));
	if (mh->msg_name)
		rr_bytes(mh->msg_name, mh->msg_namelen < namecap ? mh->msg_namelen : namecap);
	if (mh->msg_control)
		rr_bytes(mh->msg_control, mh->msg_controllen < ctlcap ? mh->msg_controllen : ctlcap);
	return r;
}

/* sock_set_timeout: a timeval (16 bytes in both layouts on x86_64). */
static void note_timeout(int64_t *slot, const void *val, int len)
{
	struct {
		int64_t sec, usec;
	} tv;
	if (len < (int)sizeof(tv))
		return;
	memcpy(&tv, val, sizeof(tv));
	if (tv.sec < 0)
		*slot = 1; /* Linux: a timeout of zero jiffies, EAGAIN at once */
	else if (tv.sec == 0 && tv.usec == 0)
		*slot = 0;
	else
		*slot = tv.sec * 1000000000LL + tv.usec * 1000;
}

long host_sock_setsockopt(struct file *f, int level, int name, const void *val, int len)
{
	long r = RR_SYS(setsockopt(f->host_fd, level, name, val, (socklen_t)len));
	if (r == 0 && level == SOL_SOCKET) {
		if (name == SO_RCVTIMEO || name == SO_RCVTIMEO_NEW)
			note_timeout(&f->hsk->rcvtimeo_ns, val, len);
		else if (name == SO_SNDTIMEO || name == SO_SNDTIMEO_NEW)
			note_timeout(&f->hsk->sndtimeo_ns, val, len);
	}
	return r;
}

long host_sock_getsockopt(struct file *f, int level, int name, void *val, int *len)
{
	socklen_t l = (socklen_t)*len;
	long r = RR_SYS(getsockopt(f->host_fd, level, name, val, &l));
	if (r == 0) {
		rr_bytes(&l, sizeof(l));
		rr_bytes(val, l < (socklen_t)*len ? l : (socklen_t)*len);
		*len = (int)l;
	} else if (r == -ERANGE) {
		rr_bytes(&l, sizeof(l));
		*len = (int)l;
	}
	return r;
}
