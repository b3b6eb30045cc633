#include "kernelmodel/hrtimer.h"

#include <stddef.h>

/* Sorted by expiry, then by arming order: firing order is deterministic. */
static struct hrtimer *head;

void hrtimer_cancel(struct hrtimer *timer)
{
	if (!timer->queued)
		return;
	if (timer->prev)
		timer->prev->next = timer->next;
	else
		head = timer->next;
	if (timer->next)
		timer->next->prev = timer->prev;
	timer->next = timer->prev = NULL;
	timer->queued = false;
}

void hrtimer_start(struct hrtimer *timer, uint64_t expires)
{
	hrtimer_cancel(timer);
	timer->expires = expires;
	struct hrtimer **pp = &head, *prev = NULL;
	while (*pp && (*pp)->expires <= expires) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	timer->next = *pp;
	timer->prev = prev;
	if (*pp)
		(*pp)->prev = timer;
	*pp = timer;
	timer->queued = true;
}

void hrtimer_run(uint64_t now)
{
	while (head && head->expires <= now) {
		struct hrtimer *t = head;
		hrtimer_cancel(t);
		t->function(t, now);
	}
}

uint64_t hrtimer_next(void)
{
	return head ? head->expires : 0;
}
