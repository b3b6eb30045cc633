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
	size_t size;      /* capacity: PIPE_SIZE, or what F_SETPIPE_SZ made it */
	size_t head, len; /* ring: data at [head, head+len) mod PIPE_SIZE */
	int readers, writers;
	uint64_t ino;
	uint64_t gen; /* bumped on every change: EPOLLET reports new readiness only */
	/* Opens so far of each kind (r_counter, w_counter): a FIFO opener
	 * waits for its partner's counter to move; poll's POLLHUP waits for
	 * a first writer. */
	unsigned r_counter, w_counter;
	/* Packet mode (O_DIRECT writers): the packets buffered, oldest
	 * first, each at an absolute byte position (rd_total counts the
	 * bytes read so far). */
	struct pipe_packet {
		uint64_t start;
		uint32_t len;
	} *pkt;
	int npkt, pktcap;
	uint64_t rd_total;
	bool fifo;                  /* the pipe of a FIFO (named pipe) ... */
	uint64_t fifo_dev, fifo_ino; /* ... on this host inode, while open */
	struct pipe *fifo_next;
};

/* Two files (read end, write end) around a new pipe, each refcount 1.
 * @flags: O_NONBLOCK for both. Returns 0 or -ENOMEM. */
int pipe_create(int flags, struct file **rd, struct file **wr);
/* Copy up to the bytes described by @iov out of the pipe. Returns the
 * count, 0 at EOF (no writers), or -EAGAIN when empty with writers. */
long pipe_read(struct pipe *p, const struct iovec *iov, int iovcnt);
/* Copy what @iov has room for out of the pipe without consuming it (what a
 * read whose copy came up short leaves in the reader's buffer). */
void pipe_peek(const struct pipe *p, const struct iovec *iov, int iovcnt);
/* Copy in what fits; a write of at most PIPE_BUF is all or nothing. Returns
 * the count, -EAGAIN when nothing fits, -EPIPE when no reader is left. */
long pipe_write(struct pipe *p, const struct iovec *iov, int iovcnt, size_t total);
/* A write by an O_DIRECT writer (pipe(7) packet mode): packets of at
 * most PIPE_BUF bytes, each taking a page of the pipe's capacity; a read
 * returns at most one packet and drops what did not fit. Returns the
 * count, -EAGAIN when no packet fits, -EPIPE without readers. */
long pipe_write_packets(struct pipe *p, const struct iovec *iov, int iovcnt, size_t total);
/* F_SETPIPE_SZ (pipe_set_size): @arg rounded up to a power of two of at
 * least a page; growing past fs.pipe-max-size needs @privileged
 * (CAP_SYS_RESOURCE); shrinking below what the pipe holds is -EBUSY.
 * Returns the new size, -EINVAL, -EPERM, -EBUSY or -ENOMEM. */
long pipe_set_size(struct pipe *p, uint64_t arg, bool privileged);
/* Drop one end (file_put calls this). */
void pipe_release(struct pipe *p, bool write_end);

/* fifo_open (fs/pipe.c): open the FIFO on host inode @dev/@ino with open
 * @flags; every opener of one inode shares one pipe while any has it open
 * (its data goes when the last closes). @host_fd (an O_PATH descriptor of
 * the FIFO, consumed) answers fstat. A reader without writers, or a writer
 * without readers, must wait for its partner unless O_NONBLOCK: then it
 * returns 1 with *@out and *@counter, the partner's open count to wait on
 * (sleep on the file's pipe until fifo_partner_arrived). O_RDWR never
 * waits. A non-blocking writer without readers is -ENXIO. Otherwise 0
 * with *@out (refcount 1), or -ENOMEM. */
int fifo_open(uint64_t dev, uint64_t ino, int flags, int host_fd, const char *path,
	      struct file **out, unsigned *counter);
/* A FIFO open that @t was waiting in ends (a signal handler runs, the
 * task exits): its half-open file is dropped. */
struct task;
void fifo_open_cancel(struct task *t);
/* Has the partner a FIFO opener waits for (fifo_open's 1) opened since? */
bool fifo_partner_arrived(const struct file *f, unsigned counter);

#endif
