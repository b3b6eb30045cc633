#include "kernelmodel/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "kernelmodel/files.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

static uint64_t next_ino = 1000;
static struct pipe *fifos; /* the pipes of the FIFOs open now */

int pipe_create(int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->buf = malloc(PIPE_SIZE);
	p->size = PIPE_SIZE;
	*rd = file_pipe_alloc(p, false, O_RDONLY | (flags & O_NONBLOCK)); /* O_DIRECT: writers only */
	*wr = file_pipe_alloc(p, true, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)));
	if (!p->buf || !*rd || !*wr) {
		free(*rd);
		free(*wr);
		free(p->buf);
		free(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	p->ino = next_ino++;
	return 0;
}

static long pipe_read_bytes(struct pipe *p, const struct iovec *iov, int iovcnt)
{
	if (!p->len)
		return p->writers ? -EAGAIN : 0;
	size_t done = 0;
	for (int i = 0; i < iovcnt && p->len; i++) {
		uint8_t *dst = iov[i].iov_base;
		size_t want = iov[i].iov_len;
		while (want && p->len) {
			size_t chunk = p->size - p->head;
			if (chunk > p->len)
				chunk = p->len;
			if (chunk > want)
				chunk = want;
			memcpy(dst, p->buf + p->head, chunk);
			p->head = (p->head + chunk) % p->size;
			p->len -= chunk;
			dst += chunk;
			want -= chunk;
			done += chunk;
		}
	}
	if (!p->len)
		p->head = 0;
	p->gen++;
	wake_up(p); /* room for writers */
	wake_up(&poll_chan);
	return (long)done;
}

void pipe_peek(const struct pipe *p, const struct iovec *iov, int iovcnt)
{
	size_t at = p->head, left = p->len;
	for (int i = 0; i < iovcnt && left; i++) {
		uint8_t *dst = iov[i].iov_base;
		size_t want = iov[i].iov_len;
		while (want && left) {
			size_t chunk = p->size - at;
			if (chunk > left)
				chunk = left;
			if (chunk > want)
				chunk = want;
			memcpy(dst, p->buf + at, chunk);
			at = (at + chunk) % p->size;
			left -= chunk;
			dst += chunk;
			want -= chunk;
		}
	}
}

/* Drop @n bytes at the head (the unread rest of a packet). */
static void pipe_discard(struct pipe *p, size_t n)
{
	p->head = (p->head + n) % p->size;
	p->len -= n;
	p->rd_total += n;
	if (!p->len)
		p->head = 0;
}

long pipe_read(struct pipe *p, const struct iovec *iov, int iovcnt)
{
	if (!p->npkt) {
		long r = pipe_read_bytes(p, iov, iovcnt);
		if (r > 0)
			p->rd_total += (uint64_t)r;
		return r;
	}
	if (!p->len)
		return p->writers ? -EAGAIN : 0;
	/* Plain bytes before the first packet, then at most that packet
	 * (pipe_read stops after a PIPE_BUF_FLAG_PACKET buffer). */
	size_t want = 0;
	for (int i = 0; i < iovcnt; i++)
		want += iov[i].iov_len;
	struct pipe_packet *pk = &p->pkt[0];
	size_t before = (size_t)(pk->start - p->rd_total);
	size_t take = before ? before : (pk->len < want ? pk->len : want);
	if (take > want)
		take = want;
	struct iovec sub[64];
	int n = 0;
	size_t left = take;
	for (int i = 0; i < iovcnt && left && n < 64; i++) {
		size_t l = iov[i].iov_len < left ? iov[i].iov_len : left;
		if (!l)
			continue;
		sub[n].iov_base = iov[i].iov_base;
		sub[n++].iov_len = l;
		left -= l;
	}
	long r = pipe_read_bytes(p, sub, n);
	if (r <= 0)
		return r;
	p->rd_total += (uint64_t)r;
	if (!before) { /* a packet: the rest of it is gone */
		pipe_discard(p, pk->len - (size_t)r);
		memmove(p->pkt, p->pkt + 1, (size_t)(--p->npkt) * sizeof(*p->pkt));
	}
	return r;
}

long pipe_write_packets(struct pipe *p, const struct iovec *iov, int iovcnt, size_t total)
{
	if (!p->readers)
		return -EPIPE;
	size_t done = 0;
	int vi = 0;
	size_t voff = 0;
	uint8_t chunk[PIPE_BUF_ATOMIC];
	while (done < total) {
		size_t n = total - done < PIPE_BUF_ATOMIC ? total - done : PIPE_BUF_ATOMIC;
		/* Every packet takes a slot (a page), and the bytes must fit. */
		size_t slots = p->size / PIPE_BUF_ATOMIC;
		size_t plain = p->len - (p->npkt ? (size_t)(p->pkt[p->npkt - 1].start + p->pkt[p->npkt - 1].len - p->rd_total) : 0);
		size_t used = (size_t)p->npkt + (plain + PIPE_BUF_ATOMIC - 1) / PIPE_BUF_ATOMIC;
		if (used >= slots || p->size - p->len < n)
			break;
		for (size_t c = 0; c < n;) {
			size_t l = iov[vi].iov_len - voff;
			if (l > n - c)
				l = n - c;
			memcpy(chunk + c, (const uint8_t *)iov[vi].iov_base + voff, l);
			c += l;
			voff += l;
			if (voff == iov[vi].iov_len && vi + 1 < iovcnt) {
				vi++;
				voff = 0;
			}
		}
		if (p->npkt == p->pktcap) {
			int cap = p->pktcap ? p->pktcap * 2 : 16;
			struct pipe_packet *np = realloc(p->pkt, (size_t)cap * sizeof(*np));
			if (!np)
				break;
			p->pkt = np;
			p->pktcap = cap;
		}
		p->pkt[p->npkt].start = p->rd_total + p->len;
		p->pkt[p->npkt++].len = (uint32_t)n;
		struct iovec one = {chunk, n};
		pipe_write(p, &one, 1, n);
		done += n;
	}
	if (!done)
		return -EAGAIN;
	return (long)done;
}

long pipe_write(struct pipe *p, const struct iovec *iov, int iovcnt, size_t total)
{
	if (!p->readers)
		return -EPIPE;
	size_t room = p->size - p->len;
	if (!room || (total <= PIPE_BUF_ATOMIC && room < total))
		return -EAGAIN;
	size_t done = 0;
	for (int i = 0; i < iovcnt && done < room; i++) {
		const uint8_t *src = iov[i].iov_base;
		size_t want = iov[i].iov_len;
		while (want && done < room) {
			size_t tail = (p->head + p->len) % p->size;
			size_t chunk = p->size - tail;
			if (chunk > want)
				chunk = want;
			if (chunk > room - done)
				chunk = room - done;
			memcpy(p->buf + tail, src, chunk);
			p->len += chunk;
			src += chunk;
			want -= chunk;
			done += chunk;
		}
	}
	p->gen++;
	wake_up(p); /* data for readers */
	wake_up(&poll_chan);
	return (long)done;
}

/* fs.pipe-max-size, the host's (1 MiB unless changed). */
static size_t pipe_max_size(void)
{
	static long v = -1;
	if (v < 0) {
		FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
		if (!f || fscanf(f, "%ld", &v) != 1)
			v = 1048576;
		if (f)
			fclose(f);
	}
	return (size_t)v;
}

long pipe_set_size(struct pipe *p, uint64_t arg, bool privileged)
{
	uint32_t a = (uint32_t)arg; /* fcntl's unsigned int argument */
	if (a > (1u << 31))
		return -EINVAL; /* round_pipe_size: 0 slots */
	size_t size = 4096;
	while (size < a)
		size <<= 1;
	if (size > p->size && size > pipe_max_size() && !privileged)
		return -EPERM;
	/* Each buffered page is a slot the new ring must hold. */
	if ((p->len + 4095) / 4096 > size / 4096)
		return -EBUSY;
	uint8_t *buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < p->len; i++)
		buf[i] = p->buf[(p->head + i) % p->size];
	free(p->buf);
	p->buf = buf;
	p->head = 0;
	p->size = size;
	p->gen++;
	wake_up(p); /* writers may find room */
	wake_up(&poll_chan);
	return (long)size;
}

void pipe_release(struct pipe *p, bool write_end)
{
	if (write_end)
		p->writers--;
	else
		p->readers--;
	p->gen++;
	wake_up(p);
	wake_up(&poll_chan);
	if (!p->readers && !p->writers) {
		if (p->fifo) {
			struct pipe **pp = &fifos;
			while (*pp != p)
				pp = &(*pp)->fifo_next;
			*pp = p->fifo_next;
		}
		free(p->buf);
		free(p->pkt);
		free(p);
	}
}

/* The pipe of the FIFO @dev/@ino: the one open now, or a new one. */
static struct pipe *fifo_pipe(uint64_t dev, uint64_t ino)
{
	for (struct pipe *p = fifos; p; p = p->fifo_next)
		if (p->fifo_dev == dev && p->fifo_ino == ino)
			return p;
	struct pipe *p = calloc(1, sizeof(*p));
	if (!p || !(p->buf = malloc(PIPE_SIZE))) {
		free(p);
		return NULL;
	}
	p->size = PIPE_SIZE;
	p->fifo = true;
	p->fifo_dev = dev;
	p->fifo_ino = ino;
	p->ino = ino;
	p->fifo_next = fifos;
	fifos = p;
	return p;
}

static void fifo_forget_unused(struct pipe *p)
{
	if (!p->readers && !p->writers) {
		p->readers = 1; /* pipe_release frees it */
		pipe_release(p, false);
	}
}

int fifo_open(uint64_t dev, uint64_t ino, int flags, int host_fd, const char *path,
	      struct file **out, unsigned *counter)
{
	int acc = flags & O_ACCMODE;
	bool nonblock = flags & O_NONBLOCK;
	struct pipe *p = fifo_pipe(dev, ino);
	if (!p)
		return -ENOMEM;
	if (acc == O_WRONLY && nonblock && !p->readers) {
		fifo_forget_unused(p);
		return -ENXIO;
	}
	struct file *f = file_pipe_alloc(p, acc == O_WRONLY, acc | (flags & O_NONBLOCK));
	if (!f) {
		fifo_forget_unused(p);
		return -ENOMEM;
	}
	f->host_fd = host_fd;
	f->dev = dev;
	f->ino = ino;
	if (path)
		f->path = strdup(path);
	f->pipe_rdwr = acc == O_RDWR;
	int wait = 0;
	if (acc != O_WRONLY) {
		p->readers++;
		p->r_counter++;
		/* A non-blocking reader sees no hang-up until a writer came. */
		f->f_pipe = p->w_counter;
		if (acc == O_RDONLY && !p->writers && !nonblock) {
			*counter = p->w_counter;
			wait = 1;
		}
	}
	if (acc != O_RDONLY) {
		p->writers++;
		p->w_counter++;
		if (acc == O_WRONLY && !p->readers) {
			*counter = p->r_counter;
			wait = 1;
		}
	}
	p->gen++;
	wake_up(p); /* openers waiting for us */
	wake_up(&poll_chan);
	*out = f;
	return wait;
}

void fifo_open_cancel(struct task *t)
{
	struct file *f = t->fifo_opening;
	t->fifo_opening = NULL;
	file_put(f);
}

bool fifo_partner_arrived(const struct file *f, unsigned counter)
{
	const struct pipe *p = f->pipe;
	return (f->write_end ? p->r_counter : p->w_counter) != counter;
}
