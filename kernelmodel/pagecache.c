#include "kernelmodel/pagecache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct pc_entry {
	struct file_id id;
	uint64_t off;
	frame_t frame; /* 0: empty slot */
};

#define PC_SLOTS (PAGECACHE_MAX_PAGES * 2) /* open addressing, half full at most */

static struct pc_entry *table;
static uint64_t used;

static uint64_t hash(const struct file_id *id, uint64_t off)
{
	uint64_t h = id->dev * 0x9E3779B97F4A7C15ull ^ id->ino * 0xC2B2AE3D27D4EB4Full ^
		     id->mtime_ns * 0x165667B19E3779F9ull ^ (off >> PAGE_SHIFT) * 0x27D4EB2F165667C5ull;
	return (h ^ (h >> 29)) % PC_SLOTS;
}

static bool same(const struct pc_entry *e, const struct file_id *id, uint64_t off)
{
	return e->off == off && !memcmp(&e->id, id, sizeof(*id));
}

void pagecache_drop(void)
{
	if (!table)
		return;
	for (uint64_t i = 0; i < PC_SLOTS; i++)
		if (table[i].frame)
			frame_put(table[i].frame);
	free(table);
	table = NULL;
	used = 0;
}

frame_t pagecache_get(const struct file_id *id, uint64_t off, const void *bytes)
{
	if (!table && !(table = calloc(PC_SLOTS, sizeof(*table))))
		return 0;
	uint64_t i = hash(id, off);
	while (table[i].frame && !same(&table[i], id, off))
		i = (i + 1) % PC_SLOTS;
	if (!table[i].frame) {
		if (used >= PAGECACHE_MAX_PAGES) {
			pagecache_drop(); /* simple and rare: start over */
			return pagecache_get(id, off, bytes);
		}
		frame_t f = frame_alloc();
		if (!f)
			return 0;
		memcpy(frame_ptr(f), bytes, PAGE_SIZE);
		table[i] = (struct pc_entry){*id, off, f};
		used++;
	}
	frame_get(table[i].frame);
	return table[i].frame;
}
