/*
 * smc_jit: code written by one task and run by another always runs the new
 * bytes (issue 16, "Self-modifying and JIT code across tasks"). Each case
 * rewrites a small function (mov eax, imm32; ret) many times and calls it
 * after each rewrite:
 *   - in place on an RWX page; a JIT's code cache (functions written next
 *     to each other, the page reused when full); code that patches its own
 *     next instruction (a store into the block being run);
 *   - W^X: mprotect RW, write, mprotect RX, call;
 *   - the double-mapping JIT: one memfd mapped twice, a writable view and an
 *     executable view at another address; also through pwrite() on the memfd
 *     and read() from a pipe into an RWX page (the kernel writes the code);
 *   - across CLONE_VM threads: one thread writes (RWX page, writable view),
 *     the other runs, in lock step;
 *   - across processes: fork, a MAP_SHARED RWX mapping and a memfd's two
 *     views, the child writes and the parent runs (and the other way round).
 * Prints only fixed lines; the first failure's code is the exit status.
 */
#include "guest_check.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#define ROUNDS 200

typedef int (*fn_t)(void);

static size_t page;

/* mov eax, @v; ret at @p (6 bytes). */
static void emit(unsigned char *p, int v)
{
	unsigned char code[6] = {0xb8, 0, 0, 0, 0, 0xc3};
	memcpy(code + 1, &v, 4);
	memcpy(p, code, sizeof(code));
	__builtin___clear_cache((char *)p, (char *)p + sizeof(code));
}

static int value(int round, int salt)
{
	return round * 7919 + salt;
}

/* Where in the page round @r puts its function: the same place most of the
 * time (the stale-translation case), elsewhere now and then. */
static size_t spot(int r)
{
	return r % 16 == 15 ? (size_t)(r * 64) % (page - 64) : 0;
}

/* A failed round is reported once per case, with what ran. */
static int report(const char *what, int code, int bad, int first_r, int got, int want)
{
	if (bad)
		check(0, code, "%s: %d calls ran old code (the first in round %d: got %d, want %d)",
		      what, bad, first_r, got, want);
	else
		check(1, code, "%s: %d rounds ran the new code", what, ROUNDS);
	return bad;
}

struct tally {
	int bad, first_r, got, want;
};

static void tally(struct tally *t, int r, int got, int want)
{
	if (got == want)
		return;
	if (!t->bad++) {
		t->first_r = r;
		t->got = got;
		t->want = want;
	}
}

static int memfd(void)
{
	int fd = (int)syscall(SYS_memfd_create, "smc_jit", 0);
	need(fd >= 0, 80, "memfd_create");
	need(ftruncate(fd, (off_t)page) == 0, 81, "ftruncate");
	return fd;
}

/* ---- one task ---- */

static void rwx_in_place(void)
{
	unsigned char *p = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 82, "mmap rwx");
	struct tally t = {0};
	for (int r = 0; r < ROUNDS; r++) {
		emit(p + spot(r), value(r, 1));
		tally(&t, r, ((fn_t)(p + spot(r)))(), value(r, 1));
	}
	report("rwx page rewritten in place", 1, t.bad, t.first_r, t.got, t.want);
	munmap(p, page);
}

/* A JIT's code cache: functions written one after the other into an RWX
 * page a batch at a time, each batch run after it is written (and the
 * function before each), the page reused from the start when full (qemu-user's
 * code_gen_buffer after a tb_flush). */
static void jit_arena(void)
{
	unsigned char *p = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 102, "mmap rwx");
	int slots = (int)(page / 64), *last = calloc((size_t)slots, sizeof(int));
	need(last != NULL, 103, "calloc");
	struct tally t = {0};
	for (int r = 0; r < ROUNDS; r++) {
		for (int k = 0; k < 4; k++) { /* a batch of functions, then run them */
			int s = (r * 4 + k) % slots;
			emit(p + s * 64, value(r * 4 + k, 12));
			last[s] = value(r * 4 + k, 12);
		}
		for (int k = 0; k < 4; k++) {
			int s = (r * 4 + k) % slots, prev = (s + slots - 1) % slots;
			tally(&t, r, ((fn_t)(p + s * 64))(), last[s]);
			if (last[prev]) /* written already */
				tally(&t, r, ((fn_t)(p + prev * 64))(), last[prev]);
		}
	}
	report("functions written next to each other into a reused rwx page", 13, t.bad,
	       t.first_r, t.got, t.want);
	free(last);
	munmap(p, page);
}

/* 40 88 3d 01 00 00 00   mov [rip+1], dil   (the low byte of the imm32 below)
 * b8 00 00 00 00         mov eax, 0
 * c3                     ret                */
static void self_patching(void)
{
	static const unsigned char code[] = {0x40, 0x88, 0x3d, 0x01, 0, 0, 0, 0xb8, 0, 0, 0, 0, 0xc3};
	unsigned char *p = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 83, "mmap rwx");
	memcpy(p, code, sizeof(code));
	int (*f)(int) = (int (*)(int))p;
	struct tally t = {0};
	for (int r = 0; r < ROUNDS; r++)
		tally(&t, r, f(r & 0xff), r & 0xff);
	report("code patching its own next instruction", 2, t.bad, t.first_r, t.got, t.want);
	munmap(p, page);
}

static void wx_flip(void)
{
	unsigned char *p =
	    mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 84, "mmap rw");
	struct tally t = {0};
	for (int r = 0; r < ROUNDS; r++) {
		need(mprotect(p, page, PROT_READ | PROT_WRITE) == 0, 85, "mprotect rw");
		emit(p + spot(r), value(r, 2));
		need(mprotect(p, page, PROT_READ | PROT_EXEC) == 0, 86, "mprotect rx");
		tally(&t, r, ((fn_t)(p + spot(r)))(), value(r, 2));
	}
	report("W^X flips with mprotect", 3, t.bad, t.first_r, t.got, t.want);
	munmap(p, page);
}

struct views {
	int fd;
	unsigned char *w, *x;
};

static struct views double_map(void)
{
	struct views v = {.fd = memfd()};
	v.w = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd, 0);
	v.x = mmap(NULL, page, PROT_READ | PROT_EXEC, MAP_SHARED, v.fd, 0);
	need(v.w != MAP_FAILED && v.x != MAP_FAILED, 87, "mmap the two views");
	return v;
}

static void unmap_views(struct views *v)
{
	munmap(v->w, page);
	munmap(v->x, page);
	close(v->fd);
}

static void double_mapping(void)
{
	struct views v = double_map();
	struct tally t = {0};
	for (int r = 0; r < ROUNDS; r++) {
		emit(v.w + spot(r), value(r, 3));
		tally(&t, r, ((fn_t)(v.x + spot(r)))(), value(r, 3));
	}
	report("memfd mapped twice, written through the writable view", 4, t.bad, t.first_r,
	       t.got, t.want);
	unmap_views(&v);
}

static void kernel_writes(void)
{
	struct views v = double_map();
	struct tally t = {0};
	unsigned char code[6];
	for (int r = 0; r < ROUNDS; r++) {
		emit(code, value(r, 4));
		need(pwrite(v.fd, code, sizeof(code), (off_t)spot(r)) == (ssize_t)sizeof(code), 88,
		     "pwrite");
		tally(&t, r, ((fn_t)(v.x + spot(r)))(), value(r, 4));
	}
	report("memfd's executable view after pwrite", 5, t.bad, t.first_r, t.got, t.want);
	unmap_views(&v);

	unsigned char *p = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fds[2];
	need(p != MAP_FAILED && pipe(fds) == 0, 89, "mmap rwx and pipe");
	memset(&t, 0, sizeof(t));
	for (int r = 0; r < ROUNDS; r++) {
		emit(code, value(r, 5));
		need(write(fds[1], code, sizeof(code)) == (ssize_t)sizeof(code), 90, "write pipe");
		need(read(fds[0], p + spot(r), sizeof(code)) == (ssize_t)sizeof(code), 91, "read pipe");
		tally(&t, r, ((fn_t)(p + spot(r)))(), value(r, 5));
	}
	report("rwx page filled by read()", 6, t.bad, t.first_r, t.got, t.want);
	close(fds[0]);
	close(fds[1]);
	munmap(p, page);
}

/* ---- two threads of one process ---- */

static pthread_barrier_t bar;
static unsigned char *thread_dst; /* where the writer thread writes */
static int thread_salt;

static void *writer(void *arg)
{
	(void)arg;
	for (int r = 0; r < ROUNDS; r++) {
		emit(thread_dst + spot(r), value(r, thread_salt));
		pthread_barrier_wait(&bar); /* written */
		pthread_barrier_wait(&bar); /* run */
	}
	return NULL;
}

static void threads_case(const char *what, int code, unsigned char *w, unsigned char *x, int salt)
{
	pthread_t th;
	thread_dst = w;
	thread_salt = salt;
	need(pthread_barrier_init(&bar, NULL, 2) == 0, 92, "pthread_barrier_init");
	need(pthread_create(&th, NULL, writer, NULL) == 0, 93, "pthread_create");
	struct tally t = {0};
	for (int r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&bar);
		tally(&t, r, ((fn_t)(x + spot(r)))(), value(r, salt));
		pthread_barrier_wait(&bar);
	}
	pthread_join(th, NULL);
	pthread_barrier_destroy(&bar);
	report(what, code, t.bad, t.first_r, t.got, t.want);
}

static void across_threads(void)
{
	unsigned char *p = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 94, "mmap rwx");
	threads_case("threads: one writes an rwx page, the other runs it", 7, p, p, 6);
	munmap(p, page);
	struct views v = double_map();
	threads_case("threads: one writes the writable view, the other runs the executable one", 8,
		     v.w, v.x, 7);
	unmap_views(&v);
}

/* ---- two processes ---- */

/* The child writes round r's code through @w and says so on a pipe; the
 * parent runs it through @x and answers. @flip: the other way round. */
static void processes_case(const char *what, int code, unsigned char *w, unsigned char *x,
			   int salt, int flip)
{
	int to_runner[2], to_writer[2];
	need(pipe(to_runner) == 0 && pipe(to_writer) == 0, 95, "pipes");
	pid_t pid = guest_fork();
	int writing = flip ? pid != 0 : pid == 0;
	int in = writing ? to_writer[0] : to_runner[0];
	int out = writing ? to_runner[1] : to_writer[1];
	struct tally t = {0};
	for (int r = 0; r < ROUNDS; r++) {
		char c = 0;
		if (writing) {
			emit(w + spot(r), value(r, salt));
			need(write(out, "w", 1) == 1, 96, "write pipe");
			need(read(in, &c, 1) == 1, 97, "read pipe");
		} else {
			need(read(in, &c, 1) == 1, 98, "read pipe");
			tally(&t, r, ((fn_t)(x + spot(r)))(), value(r, salt));
			need(write(out, "r", 1) == 1, 99, "write pipe");
		}
	}
	if (pid == 0) {
		/* The runner reports through its exit status: 0 or the bad rounds. */
		_exit(writing ? 0 : (t.bad > 100 ? 100 : t.bad));
	}
	int st = 0;
	need(waitpid(pid, &st, 0) == pid, 100, "waitpid");
	if (!flip) {
		report(what, code, t.bad, t.first_r, t.got, t.want);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		check(1, code, "%s: %d rounds ran the new code", what, ROUNDS);
	} else {
		check(0, code, "%s: the child ran old code (%s)", what, status_str(st));
	}
	close(to_runner[0]);
	close(to_runner[1]);
	close(to_writer[0]);
	close(to_writer[1]);
}

static void across_processes(void)
{
	unsigned char *p = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 101, "mmap shared rwx");
	processes_case("fork: the child writes a shared rwx page, the parent runs it", 9, p, p, 8,
		       0);
	processes_case("fork: the parent writes a shared rwx page, the child runs it", 10, p, p, 9,
		       1);
	munmap(p, page);
	struct views v = double_map();
	processes_case("fork: the child writes a memfd's writable view, the parent runs the "
		       "executable one",
		       11, v.w, v.x, 10, 0);
	processes_case("fork: the parent writes a memfd's writable view, the child runs the "
		       "executable one",
		       12, v.w, v.x, 11, 1);
	unmap_views(&v);
}

int main(void)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	rwx_in_place();
	jit_arena();
	self_patching();
	wx_flip();
	double_mapping();
	kernel_writes();
	across_threads();
	across_processes();
	return guest_finish();
}
