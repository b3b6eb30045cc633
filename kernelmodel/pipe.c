#include "kernelmodel/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "kernelmodel/files.h"
#include "kernelmodel/sched.h"

static uint64_t next_ino = 1000;

int pipe_create(int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->buf = malloc(PIPE_SIZE);
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
			size_t chunk = PIPE_SIZE - p->head;
			if (chunk > p->len)
				chunk = p->len;
			if (chunk > want)
				chunk = want;
			memcpy(dst, p->buf + p->head, chunk);
			p->head = (p->head + chunk) % PIPE_SIZE;
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
	size_t room = PIPE_SIZE - p->len;
	if (!room || (total <= PIPE_BUF_ATOMIC && room < total))
		return -EAGAIN;
	size_t done = 0;
	for (int i = 0; i < iovcnt && done < room; i++) {
		const uint8_t *src = iov[i].iov_base;
		size_t want = iov[i].iov_len;
		while (want && done < room) {
			size_t tail = (p->head + p->len) % PIPE_SIZE;
			size_t chunk = PIPE_SIZE - tail;
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
		free(p->buf);
		free(p);
	}
}
