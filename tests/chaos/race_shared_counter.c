/* counter++ across processes: a parent and its child each add 1 to a
 * counter in a MAP_SHARED page 2000 times with an unlocked add to memory.
 * It loses updates when one process's increment falls between the other's
 * load and store: under --chaos, when a change point at a touch of the
 * shared page (or at the instruction) splits it. Prints the total; exit
 * status 1 when it is not 4000. */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 2000

static void work(int *counter)
{
	for (int i = 0; i < N; i++)
		__asm__ volatile("addl $1, %0" : "+m"(*counter)); /* counter++ */
}

int main(void)
{
	int *counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED)
		return 2;
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	work(counter);
	if (pid == 0)
		_exit(0);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 2;
	printf("counter %d\n", *counter);
	return *counter == 2 * N ? 0 : 1;
}
