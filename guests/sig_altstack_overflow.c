/*
 * sig_altstack_overflow: a SIGSEGV handler on a small alternate stack
 * (SA_ONSTACK | SA_NODEFER) that faults again. Each fault nests another
 * frame on the alternate stack; the frame that would overflow it is not
 * built (get_sigframe's check) and the process dies of SIGSEGV instead of
 * faulting forever.
 *
 *   - the child's handler runs more than once (nested on the same stack)
 *   - the child is killed by SIGSEGV; the parent prints how it ended
 */
#include "guest_check.h"

#include <stdint.h>

static volatile int depth;

static void handler(int sig)
{
	(void)sig;
	depth++;
	if (depth == 2) {
		const char msg[] = "handler nested\n";
		if (write(1, msg, sizeof(msg) - 1) < 0)
			_exit(3);
	}
	*(volatile int *)(uintptr_t)8 = 1; /* fault again, on the alternate stack */
}

int main(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		static char stack[32768];
		stack_t ss = {.ss_sp = stack, .ss_size = sizeof(stack)};
		struct sigaction sa = {.sa_handler = handler, .sa_flags = SA_ONSTACK | SA_NODEFER};
		sigemptyset(&sa.sa_mask);
		if (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL))
			_exit(2);
		*(volatile int *)(uintptr_t)8 = 1;
		_exit(4);
	}
	expect_status(pid, "killed by signal 11", 2, "the child died of SIGSEGV when its alternate stack overflowed");
	return guest_finish();
}
