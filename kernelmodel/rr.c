#include "kernelmodel/rr.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kernelmodel/sched.h"

bool rr_recording, rr_replaying;

enum rr_tag {
	RR_VALUE = 'v',
	RR_BYTES = 'b',
	RR_SYSCALL = 's',
	RR_SIGNAL = 'k',
	RR_IMAGE = 'x',
	RR_END = 'e'
};

#define RR_MAGIC "CLONEEMU-RR 2\n"

static FILE *log_file;
static uint64_t events;
const char *(*rr_syscall_name)(long nr);

/* The syscall being made (for divergence reports): task, number, pc, args. */
static struct rr_sys {
	int64_t tid, nr, pc, args[6];
} cur = {.nr = -1};

static const char *tag_name(int c)
{
	switch (c) {
	case RR_VALUE:
		return "a host call's result";
	case RR_BYTES:
		return "a host call's bytes";
	case RR_SYSCALL:
		return "a syscall";
	case RR_SIGNAL:
		return "a signal from outside";
	case RR_IMAGE:
		return "an executable file";
	case RR_END:
	case EOF:
		return "the end";
	default:
		return "garbage";
	}
}

static void sys_text(const struct rr_sys *r, char *out, size_t len)
{
	const char *name = rr_syscall_name ? rr_syscall_name((long)r->nr) : NULL;
	char num[32];
	if (!name) {
		snprintf(num, sizeof(num), "syscall_%lld", (long long)r->nr);
		name = num;
	}
	snprintf(out, len, "task %lld at pc 0x%llx: %s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)",
		 (long long)r->tid, (unsigned long long)r->pc, name, (unsigned long long)r->args[0],
		 (unsigned long long)r->args[1], (unsigned long long)r->args[2],
		 (unsigned long long)r->args[3], (unsigned long long)r->args[4],
		 (unsigned long long)r->args[5]);
}

int rr_start_record(const char *path)
{
	if (!(log_file = fopen(path, "wb")))
		return -1;
	fputs(RR_MAGIC, log_file);
	rr_recording = true;
	return 0;
}

int rr_start_replay(const char *path)
{
	char magic[32];
	if (!(log_file = fopen(path, "rb")))
		return -1;
	if (!fgets(magic, sizeof(magic), log_file) || strcmp(magic, RR_MAGIC)) {
		fclose(log_file);
		log_file = NULL;
		return -2;
	}
	rr_replaying = true;
	return 0;
}

void rr_finish(void)
{
	if (!log_file)
		return;
	if (rr_recording) {
		fputc(RR_END, log_file);
		fclose(log_file);
	} else {
		fclose(log_file);
	}
	log_file = NULL;
	rr_recording = rr_replaying = false;
}

static void put(uint8_t tag, const void *data, uint32_t len)
{
	fputc(tag, log_file);
	fwrite(&len, sizeof(len), 1, log_file);
	if (len)
		fwrite(data, 1, len, log_file);
	events++;
}

static void diverged(const char *what)
{
	char in[256] = "";
	if (cur.nr >= 0) {
		char sys[200];
		sys_text(&cur, sys, sizeof(sys));
		snprintf(in, sizeof(in), " (in %s)", sys);
	}
	fprintf(stderr, "cloneemu: replay diverged at event %llu: %s%s\n",
		(unsigned long long)events, what, in);
	fflush(NULL);
	exit(EXIT_DIVERGED);
}

/* The next record, which must be @tag; its payload goes to @data (up to
 * @max bytes). Returns the payload length. */
static uint32_t get(uint8_t tag, void *data, uint32_t max)
{
	int c = fgetc(log_file);
	uint32_t len;
	if (c == EOF || c == RR_END)
		diverged("the recording ends here, the run goes on");
	if (c != tag) {
		char msg[160];
		snprintf(msg, sizeof(msg), "the recording has %s where the run asks for %s",
			 tag_name(c), tag_name(tag));
		diverged(msg);
	}
	if (fread(&len, sizeof(len), 1, log_file) != 1 || len > max)
		diverged("the recording is damaged");
	if (len && fread(data, 1, len, log_file) != len)
		diverged("the recording is truncated");
	events++;
	return len;
}

long rr_note(long value)
{
	if (rr_recording)
		put(RR_VALUE, &value, sizeof(value));
	return value;
}

long rr_value(void)
{
	long v = 0;
	get(RR_VALUE, &v, sizeof(v));
	return v;
}

void rr_bytes(void *buf, size_t len)
{
	if (rr_recording)
		put(RR_BYTES, buf, (uint32_t)len);
	else if (rr_replaying && get(RR_BYTES, buf, (uint32_t)len) != len)
		diverged("a host call produced a different number of bytes");
}

void rr_iov(const struct iovec *iov, int n, size_t len)
{
	if (!rr_recording && !rr_replaying)
		return;
	uint8_t *tmp = malloc(len ? len : 1);
	if (!tmp)
		abort();
	if (rr_recording) {
		size_t at = 0;
		for (int i = 0; i < n && at < len; i++) {
			size_t c = iov[i].iov_len < len - at ? iov[i].iov_len : len - at;
			memcpy(tmp + at, iov[i].iov_base, c);
			at += c;
		}
	}
	rr_bytes(tmp, len);
	if (rr_replaying) {
		size_t at = 0;
		for (int i = 0; i < n && at < len; i++) {
			size_t c = iov[i].iov_len < len - at ? iov[i].iov_len : len - at;
			memcpy(iov[i].iov_base, tmp + at, c);
			at += c;
		}
	}
	free(tmp);
}

void rr_syscall(int tid, long nr, uint64_t pc, const uint64_t args[6])
{
	struct rr_sys now = {tid, nr, (int64_t)pc};
	memcpy(now.args, args, sizeof(now.args));
	if (rr_recording) {
		put(RR_SYSCALL, &now, sizeof(now));
	} else if (rr_replaying) {
		struct rr_sys got;
		cur.nr = -1; /* a mismatch here is reported with both sides */
		if (get(RR_SYSCALL, &got, sizeof(got)) != sizeof(got))
			diverged("the recording is damaged");
		if (memcmp(&got, &now, sizeof(now))) {
			char msg[480], a[200], b[200];
			sys_text(&got, a, sizeof(a));
			sys_text(&now, b, sizeof(b));
			snprintf(msg, sizeof(msg), "the syscall differs: recorded %s; replayed %s", a,
				 b);
			diverged(msg);
		}
	}
	cur = now;
}

static uint64_t fnv1a(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

long rr_image(const char *path, long ret, const void *bytes, size_t size)
{
	struct {
		int64_t ret;
		uint64_t size, hash;
		char path[4096];
	} now = {ret, ret ? 0 : size, ret ? 0 : fnv1a(bytes, size)}, got;
	snprintf(now.path, sizeof(now.path), "%s", path);
	size_t len = offsetof(__typeof__(now), path) + strlen(now.path) + 1;
	if (rr_recording)
		put(RR_IMAGE, &now, (uint32_t)len);
	if (!rr_replaying)
		return ret;
	memset(&got, 0, sizeof(got));
	get(RR_IMAGE, &got, sizeof(got));
	got.path[sizeof(got.path) - 1] = 0;
	if (got.ret)
		return got.ret; /* it failed then: it fails now, whatever is there */
	if (ret || got.size != now.size || got.hash != now.hash) {
		char why[160];
		if (ret)
			snprintf(why, sizeof(why), "it cannot be loaded now (%s)", strerror((int)-ret));
		else
			snprintf(why, sizeof(why),
				 "its contents differ (%llu bytes, hash %016llx; recorded: %llu bytes, "
				 "hash %016llx)",
				 (unsigned long long)now.size, (unsigned long long)now.hash,
				 (unsigned long long)got.size, (unsigned long long)got.hash);
		fprintf(stderr, "cloneemu: replay refused: %s is not the file the recording ran: %s\n",
			now.path, why);
		fflush(NULL);
		exit(EXIT_DIVERGED);
	}
	return 0;
}

void rr_signal(const int64_t *rec, size_t len)
{
	if (rr_recording)
		put(RR_SIGNAL, rec, (uint32_t)len);
}

bool rr_signal_next(uint64_t step, int64_t *rec, size_t len)
{
	if (!rr_replaying)
		return false;
	int c = fgetc(log_file);
	if (c == EOF)
		return false;
	ungetc(c, log_file);
	if (c != RR_SIGNAL)
		return false;
	long at = ftell(log_file);
	get(RR_SIGNAL, rec, (uint32_t)len);
	if ((uint64_t)rec[0] == step)
		return true;
	if ((uint64_t)rec[0] < step)
		diverged("a signal from outside was delivered earlier in the recording");
	fseek(log_file, at, SEEK_SET); /* later: not yet */
	events--;
	return false;
}

bool rr_signal_ahead(void)
{
	if (!rr_replaying)
		return false;
	int c = fgetc(log_file);
	if (c == EOF)
		return false;
	ungetc(c, log_file);
	return c == RR_SIGNAL;
}

/* ---- reverse execution (emu/reverse.c) ---- */

int rr_start_memory(void)
{
	int fd = memfd_create("cloneemu-rr", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int r = rr_start_record(path);
	close(fd);
	return r;
}

long rr_position(void)
{
	if (!log_file)
		return -1;
	fflush(log_file);
	return ftell(log_file);
}

int rr_reopen(long pos, bool replay)
{
	char path[64];
	if (!log_file)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fileno(log_file));
	FILE *f = fopen(path, "r+b"); /* a description (offset) of our own */
	if (!f)
		return -1;
	/* The inherited stream was flushed before the fork: closing it writes
	 * nothing. */
	fclose(log_file);
	log_file = f;
	fcntl(fileno(f), F_SETFD, FD_CLOEXEC);
	if (fseek(f, pos, SEEK_SET))
		return -1;
	rr_recording = !replay;
	rr_replaying = replay;
	return 0;
}

int rr_resume_recording(void)
{
	if (!log_file || !rr_replaying)
		return -1;
	long pos = ftell(log_file);
	if (pos < 0 || fseek(log_file, pos, SEEK_SET) || ftruncate(fileno(log_file), pos))
		return -1;
	rr_replaying = false;
	rr_recording = true;
	return 0;
}
