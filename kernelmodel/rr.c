#include "kernelmodel/rr.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kernelmodel/sched.h"

bool rr_recording, rr_replaying;

enum rr_tag { RR_VALUE = 'v', RR_BYTES = 'b', RR_SYSCALL = 's', RR_SIGNAL = 'k', RR_END = 'e' };

static FILE *log_file;
static uint64_t events;

int rr_start_record(const char *path)
{
	if (!(log_file = fopen(path, "wb")))
		return -1;
	fputs("CLONEEMU-RR 1\n", log_file);
	rr_recording = true;
	return 0;
}

int rr_start_replay(const char *path)
{
	char magic[32];
	if (!(log_file = fopen(path, "rb")))
		return -1;
	if (!fgets(magic, sizeof(magic), log_file) || strcmp(magic, "CLONEEMU-RR 1\n")) {
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
	fprintf(stderr, "cloneemu: replay diverged at event %llu: %s\n",
		(unsigned long long)events, what);
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
		char msg[96];
		snprintf(msg, sizeof(msg), "recorded a '%c' record, the run asks for '%c'", c, tag);
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

void rr_syscall(int tid, long nr)
{
	int64_t rec[2] = {tid, nr};
	if (rr_recording) {
		put(RR_SYSCALL, rec, sizeof(rec));
	} else if (rr_replaying) {
		int64_t got[2];
		get(RR_SYSCALL, got, sizeof(got));
		if (got[0] != tid || got[1] != nr) {
			char msg[128];
			snprintf(msg, sizeof(msg),
				 "recorded task %lld making syscall %lld, now task %d makes syscall %ld",
				 (long long)got[0], (long long)got[1], tid, nr);
			diverged(msg);
		}
	}
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
