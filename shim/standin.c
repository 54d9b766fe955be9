#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "hotpath.h"
#include "keptfloor.h"
#include "rawsys.h"
#include "standin.h"

/*
 * Each slot holds one tie, both numbers packed in one word (each plus
 * one, so that 0 is a free slot): ties are made and undone with one
 * compare-and-swap, with no lock, since the descriptor calls that undo
 * them may run in any thread or in a signal handler.
 */
#define STANDIN_SLOTS 64
static _Atomic uint64_t slots[STANDIN_SLOTS];
/*
 * The refused connection's socket inode: a number the program took over
 * behind the shim's back (glibc closes some descriptors through calls no
 * hook sees) is never closed for it.
 */
static _Atomic uint64_t inodes[STANDIN_SLOTS];
/* Ties made: close() looks at the slots only while there are any. */
static atomic_int tied EARLY_DATA;

static uint64_t
pack(int stand_in, int refused)
{
	return (uint64_t)(uint32_t)(stand_in + 1) << 32 |
	    (uint32_t)(refused + 1);
}

static int
stand_in_of(uint64_t v)
{
	return (int)(v >> 32) - 1;
}

static int
refused_of(uint64_t v)
{
	return (int)(uint32_t)v - 1;
}

static uint64_t
inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) ? st.st_ino : 0;
}

bool
standin_tie(int stand_in, int refused)
{
	uint64_t want = pack(stand_in, refused), ino = inode_of(refused);

	if (ino == 0 || !channel_owner())
		return false;
	kept_floor_lower(stand_in);
	kept_floor_lower(refused);
	for (size_t i = 0; i < STANDIN_SLOTS; i++) {
		uint64_t free_slot = 0;

		/*
		 * The inode is written by the thread that won the slot only.
		 * Until then the stand-in is not the program's, so nothing
		 * undoes this tie meanwhile.
		 */
		if (atomic_compare_exchange_strong(&slots[i], &free_slot,
			want)) {
			atomic_store(&inodes[i], ino);
			atomic_fetch_add(&tied, 1);
			return true;
		}
	}
	return false;
}

static bool
in_range(int fd, unsigned first, unsigned last)
{
	return fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last;
}

/*
 * A vfork() child shares these slots with its parent but not its
 * descriptors: it leaves them alone, and its copies go at exec or exit.
 */
HOT_PATH void
standin_forget(unsigned first, unsigned last)
{
	bool owner_known = false;

	if (atomic_load_explicit(&tied, memory_order_relaxed) == 0)
		return;
	for (size_t i = 0; i < STANDIN_SLOTS; i++) {
		uint64_t v = atomic_load(&slots[i]), ino;
		bool stand_in_gone, refused_gone;

		if (v == 0)
			continue;
		stand_in_gone = in_range(stand_in_of(v), first, last);
		refused_gone = in_range(refused_of(v), first, last);
		if (!stand_in_gone && !refused_gone)
			continue;
		/* Only for a tie in range: channel_owner() asks getpid(). */
		if (!owner_known && !channel_owner())
			return;
		owner_known = true;
		/* Whoever clears the slot owns what it held. */
		ino = atomic_load(&inodes[i]);
		if (!atomic_compare_exchange_strong(&slots[i], &v, 0))
			continue;
		atomic_fetch_sub(&tied, 1);
		/* The program's own close or dup2 takes a number it closes. */
		if (!refused_gone && inode_of(refused_of(v)) == ino)
			(void)capshim_syscall(SYS_close, (long)refused_of(v));
	}
}
