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
	*rd = file_pipe_alloc(p, false, O_RDONLY | (flags & O_NONBLOCK));
	*wr = file_pipe_alloc(p, true, O_WRONLY | (flags & O_NONBLOCK));
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

long pipe_read(struct pipe *p, const struct iovec *iov, int iovcnt)
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
