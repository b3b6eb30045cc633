/* The gdb stub's registers (gdb's amd64-linux numbering, as the target
 * description in gdb_packets.c lays them out) and memory: g/G/p/P, m/M of
 * the thread Hg selected. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/cpu.h"
#include "emu/gdb_internal.h"
#include "emu/reverse.h"
#include "kernelmodel/task.h"

/* ---- registers: gdb's amd64-linux numbering (rax..r15, rip, eflags,
 * segments, st0-7, x87 control, xmm0-15, mxcsr, orig_rax, fs_base,
 * gs_base) ---- */

static const int gdb_gpr[16] = {EREG_RAX, EREG_RBX, EREG_RCX, EREG_RDX, EREG_RSI, EREG_RDI,
				EREG_RBP, EREG_RSP, EREG_R8,  EREG_R9,  EREG_R10, EREG_R11,
				EREG_R12, EREG_R13, EREG_R14, EREG_R15};
#define NREGS 60

/* Register @n as gdb numbers them, into @buf; returns its size. */
static size_t reg_get(int n, uint8_t *buf)
{
	uint64_t v;
	memset(buf, 0, 16);
	if (n < 17 || n >= 57) {
		v = n < 16 ? emu_reg_read(gdb_gpr[n]) : n == 16 ? emu_reg_read(EREG_RIP)
						   : n == 57    ? (uint64_t)-1 /* not in a syscall */
						   : n == 58    ? emu_reg_read(EREG_FS_BASE)
								: emu_reg_read(EREG_GS_BASE);
		memcpy(buf, &v, 8);
		return 8;
	}
	if (n == 17) {
		uint32_t f = (uint32_t)emu_reg_read(EREG_RFLAGS);
		memcpy(buf, &f, 4);
		return 4;
	}
	if (n < 24) { /* cs ss ds es fs gs */
		static const uint32_t sel[6] = {0x33, 0x2b, 0, 0, 0, 0};
		memcpy(buf, &sel[n - 18], 4);
		return 4;
	}
	if (n < 32) {
		emu_vreg_read(EVREG_ST0 + (n - 24), buf, 10);
		return 10;
	}
	if (n < 40) { /* fctrl fstat ftag fiseg fioff foseg fooff fop */
		uint32_t x = n == 32 ? (uint32_t)emu_reg_read(EREG_FPCW)
			     : n == 33 ? (uint32_t)emu_reg_read(EREG_FPSW)
			     : n == 34 ? (uint32_t)emu_reg_read(EREG_FPTAG)
				       : 0;
		memcpy(buf, &x, 4);
		return 4;
	}
	if (n < 56) {
		emu_vreg_read(EVREG_XMM0 + (n - 40), buf, 16);
		return 16;
	}
	uint32_t m = (uint32_t)emu_reg_read(EREG_MXCSR);
	memcpy(buf, &m, 4);
	return 4;
}

static void reg_set(int n, const uint8_t *buf)
{
	uint64_t v = 0;
	if (n < 17) {
		memcpy(&v, buf, 8);
		emu_reg_write(n < 16 ? gdb_gpr[n] : EREG_RIP, v);
	} else if (n == 17) {
		memcpy(&v, buf, 4);
		emu_reg_write(EREG_RFLAGS, v);
	} else if (n >= 40 && n < 56) {
		emu_vreg_write(EVREG_XMM0 + (n - 40), buf, 16);
	} else if (n == 58 || n == 59) {
		memcpy(&v, buf, 8);
		emu_reg_write(n == 58 ? EREG_FS_BASE : EREG_GS_BASE, v);
	}
	/* Segment selectors, x87 control words and orig_rax stay as they are. */
}

void gdb_regs_packet(char op, const char *p, char *out)
{
	uint8_t b[16];
	if (!gdb_sel_task()) {
		gdb_send("E01");
		return;
	}
	if (op == 'g') {
		size_t n = 0;
		for (int r = 0; r < NREGS; r++) {
			size_t sz = reg_get(r, b);
			gdb_put_hex(out + n, b, sz);
			n += 2 * sz;
		}
		gdb_send(out);
	} else if (op == 'G') {
		for (int r = 0; r < NREGS && *p; r++) {
			size_t sz = reg_get(r, b);
			if (gdb_get_hex(p, b, sz) < sz)
				break;
			reg_set(r, b);
			p += 2 * sz;
		}
		reverse_wrote();
		gdb_send("OK");
	} else {
		int r = (int)strtol(p, NULL, 16);
		const char *eq = strchr(p, '=');
		if (r < 0 || r >= NREGS || (op == 'P' && !eq)) {
			gdb_send("E01");
			return;
		}
		size_t sz = reg_get(r, b);
		if (op == 'p') {
			gdb_put_hex(out, b, sz);
			gdb_send(out);
			return;
		}
		gdb_get_hex(eq + 1, b, sz);
		reg_set(r, b);
		reverse_wrote();
		gdb_send("OK");
	}
}

void gdb_mem_packet(char op, const char *p, char *out)
{
	uint64_t a = 0, l = 0;
	uint8_t b[4096];
	struct task *t;
	sscanf(p, "%" SCNx64 ",%" SCNx64, &a, &l);
	if (l > sizeof(b))
		l = op == 'm' ? sizeof(b) : 0;
	if (op == 'm') {
		if (!(t = gdb_sel_task()) || !t->mm || copy_from_guest(t->mm, b, a, l)) {
			gdb_send("E14");
			return;
		}
		gdb_put_hex(out, b, l);
		gdb_send(out);
		return;
	}
	const char *colon = strchr(p, ':');
	if (!colon || !l || !(t = gdb_sel_task()) || !t->mm || gdb_get_hex(colon + 1, b, l) < l ||
	    mm_poke(t->mm, a, b, l))
		gdb_send("E14");
	else {
		reverse_wrote();
		gdb_send("OK");
	}
}

