/* File locks (fs/locks.c): one lock table for every emulated process, so a
 * lock one guest process holds is seen by all others; on host regular files
 * the table's locks are also held on the host file, so other host processes
 * and the guests see each other's (locks.c says how).
 *
 * Per inode a struct file_lock_context holds two lists, as Linux's does:
 * - flock(2) locks, owned by the open file description (struct file): dup
 *   and fork share them, the last close of the description releases them;
 *   a conversion is an unlock followed by a new request (flock_lock_inode).
 * - POSIX record locks (fcntl F_SETLK/F_SETLKW), owned by the descriptor
 *   table (struct files, Linux's fl_owner = current->files), and OFD locks
 *   (F_OFD_SETLK/F_OFD_SETLKW), owned by the open file description. Byte
 *   ranges, kept per owner sorted by start and merged with their neighbours
 *   of the same type. A POSIX owner loses all its locks on an inode when it
 *   closes any descriptor of it (filp_close -> locks_remove_posix).
 * flock and POSIX locks never conflict with each other; POSIX and OFD do.
 *
 * A request that must wait sleeps its task on the context (sched.h) and is
 * retried from the start when something in the context is released, as
 * Linux's waiter loops do; a signal interrupts it (-ERESTARTSYS in Linux:
 * restarted under SA_RESTART, which is the dispatcher's default). */
#ifndef KERNELMODEL_LOCKS_H
#define KERNELMODEL_LOCKS_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct files;
struct task;

#define OFFSET_MAX INT64_MAX

/* fl_flags, Linux's values. */
#define FL_POSIX 1
#define FL_FLOCK 2
#define FL_OFDLCK 1024

struct file_lock {
	struct file_lock *next;
	unsigned flags;     /* FL_FLOCK, FL_POSIX, or FL_POSIX|FL_OFDLCK */
	int type;           /* F_RDLCK, F_WRLCK; F_UNLCK only in requests */
	int64_t start, end; /* inclusive; end OFFSET_MAX: to end of file, and beyond */
	const void *owner;  /* POSIX: the struct files; OFD and flock: the struct file */
	int pid;            /* the setter's tgid in the initial PID namespace */
	uint64_t seq;       /* when it was inserted, for /proc/locks */
};

/* flock(2) on @f: @type F_RDLCK (LOCK_SH), F_WRLCK (LOCK_EX) or F_UNLCK.
 * Returns 0, -EAGAIN (conflict and !@wait), -ENOMEM, or -EKBLOCK (the task
 * sleeps; the syscall runs again when it wakes). */
long flock_lock_file(struct task *t, struct file *f, int type, bool wait);

/* fcntl F_SETLK/F_SETLKW and the OFD forms: apply @req (flags, type,
 * range, owner, pid filled in by the caller) to @f's inode. Returns 0,
 * -EAGAIN, -EDEADLK (a POSIX wait that would close a cycle of owners),
 * -ENOMEM or -EKBLOCK. */
long posix_lock_file(struct task *t, struct file *f, const struct file_lock *req, bool wait);

/* F_GETLK/F_OFD_GETLK: replace @req by a copy of the first lock that
 * conflicts with it (for an F_UNLCK request, OFD only: the first lock of
 * the same owner that overlaps it), or set req->type to F_UNLCK. */
void posix_test_lock(struct file *f, struct file_lock *req);

/* A descriptor of @f is closed in table @owner (filp_close): every POSIX
 * lock @owner holds on @f's inode goes. */
void locks_remove_posix(struct file *f, const struct files *owner);
/* The last reference to @f is going (__fput): its OFD and flock locks go. */
void locks_remove_file(struct file *f);

/* Call @fn for every lock held, newest first as /proc/locks lists them
 * (Linux adds to the head of its global list). @dev/@ino: the inode as
 * stat shows it (0/0 for model objects of no file system). 0 or -ENOMEM. */
int locks_for_each(void (*fn)(void *arg, const struct file_lock *fl, uint64_t dev, uint64_t ino),
		   void *arg);

#endif
