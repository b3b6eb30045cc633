/* Pipes inside the model (fs/pipe.c): a 64 KiB ring shared by a read end
 * and a write end, each an open file description. Readers and writers
 * block by sleeping on the pipe; closing the last writer gives readers EOF,
 * closing the last reader gives writers EPIPE (and SIGPIPE). */
#ifndef KERNELMODEL_PIPE_H
#define KERNELMODEL_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct iovec;

#define PIPE_SIZE 65536
#define PIPE_BUF_ATOMIC 4096 /* PIPE_BUF: writes up to this size are atomic */

struct pipe {
	uint8_t *buf;
	size_t head, len; /* ring: data at [head, head+len) mod PIPE_SIZE */
	int readers, writers;
	uint64_t ino;
	uint64_t gen; /* bumped on every change: EPOLLET reports new readiness only */
};

/* Two files (read end, write end) around a new pipe, each refcount 1.
 * @flags: O_NONBLOCK for both. Returns 0 or -ENOMEM. */
int pipe_create(int flags, struct file **rd, struct file **wr);
/* Copy up to the bytes described by @iov out of the pipe. Returns the
 * count, 0 at EOF (no writers), or -EAGAIN when empty with writers. */
long pipe_read(struct pipe *p, const struct iovec *iov, int iovcnt);
/* Copy in what fits; a write of at most PIPE_BUF is all or nothing. Returns
 * the count, -EAGAIN when nothing fits, -EPIPE when no reader is left. */
long pipe_write(struct pipe *p, const struct iovec *iov, int iovcnt, size_t total);
/* Drop one end (file_put calls this). */
void pipe_release(struct pipe *p, bool write_end);

#endif
