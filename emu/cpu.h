/* The only interface to Unicorn. One engine emulates the whole machine:
 * the frame pool is its physical memory, the current task's mm translates
 * virtual addresses through the TLB-fill hook, and tasks take turns on the
 * CPU by saving and restoring register contexts. */
#ifndef EMU_CPU_H
#define EMU_CPU_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "kernelmodel/mm.h"

struct task;

enum emu_reg {
	EREG_RAX, EREG_RBX, EREG_RCX, EREG_RDX, EREG_RSI, EREG_RDI, EREG_RBP, EREG_RSP,
	EREG_R8, EREG_R9, EREG_R10, EREG_R11, EREG_R12, EREG_R13, EREG_R14, EREG_R15,
	EREG_RIP, EREG_RFLAGS, EREG_FS_BASE, EREG_GS_BASE,
	EREG_FPCW, EREG_FPSW, EREG_FPTAG, EREG_MXCSR,
	EREG_COUNT
};

/* Registers wider than 64 bits: x87 ST0-7 (10 bytes), XMM0-15 (16 bytes). */
enum emu_vreg { EVREG_ST0 = 0, EVREG_XMM0 = 8, EVREG_COUNT = 24 };

/* Why emu_run returned. */
enum emu_exit {
	EMU_STOPPED,  /* a syscall asked to reschedule (exit, block, exec, ...) */
	EMU_PREEMPTED, /* the time slice ran out */
	EMU_STEPPED,   /* emu_step executed its instructions */
	EMU_BREAKPOINT, /* a gdb breakpoint address is about to execute */
	EMU_SEGV,     /* page fault: see the mm's last_fault */
	EMU_ILL,      /* invalid or privileged instruction */
	EMU_FPE,      /* divide error */
	EMU_GPF,      /* general protection (RDTSC under PR_TSC_SIGSEGV): SIGSEGV, SI_KERNEL */
	EMU_TRAP,     /* int3 / debug trap */
	EMU_OOM,      /* the frame pool is exhausted */
	EMU_ERROR,    /* the engine failed: see emu_error() */
};

/* Open the engine with @phys_bytes of guest physical memory. 0 or -errno,
 * with a message in @err. */
int emu_init(size_t phys_bytes, char *err, size_t errlen);
void emu_fini(void);

/* Run @t (whose context is loaded) until something needs the scheduler,
 * or, with @slice > 0, until it has executed @slice basic blocks (a
 * deterministic measure of guest work; the block hook costs time, so it is
 * armed only when another task is waiting for the CPU). */
enum emu_exit emu_run(struct task *t, uint64_t slice);
struct emu_stats {
	uint64_t slices;             /* emu_run calls */
	uint64_t hook_toggles;       /* block hook armed or disarmed (flushes translations) */
	uint64_t tlb_flushes;        /* page-table changes that flushed the TLB */
	uint64_t code_invalidations; /* frames whose translated code was dropped */
	uint64_t x87_exact;          /* x87 instructions run on the host FPU (emu/x87.c) */
	uint64_t code_retries;       /* guest stores into translated code (codecache.h) */
	uint64_t tb_flushes;         /* translation buffer emptied before it filled up */
};
struct emu_stats emu_stats(void);

/* gdb breakpoints: execution stops before any of these @n addresses
 * (replaces the previous set). */
void emu_set_breakpoints(const uint64_t *addrs, int n);
/* Let the breakpoint at @rip pass once (resuming from it). */
void emu_skip_breakpoint(uint64_t rip);
/* Reverse execution (emu/reverse.c): @fn sees every instruction of the
 * running task before it executes, in the engine's first code hook (the
 * breakpoints are checked there too, before it: a breakpoint stops without
 * calling @fn); true stops before the instruction as a breakpoint does
 * (EMU_BREAKPOINT). @uncount: a later hook (chaos) stopped before an
 * instruction @fn had seen. Once, before the guest's first instruction
 * (blocks translated before would not call it); 0 or -errno. */
int emu_set_insn_hook(bool (*fn)(struct task *, uint64_t), void (*uncount)(struct task *));

/* The exact address a page fault on @page was about (from the faulting
 * instruction's operands); @page itself when it cannot tell. */
uint64_t emu_fault_address(struct task *t, uint64_t page);

/* Execute at most @n instructions of @t (the stepper). */
enum emu_exit emu_step(struct task *t, uint64_t n);
/* Disassemble @n instructions at @addr of @t's memory into @out (Capstone). */
void emu_disasm(struct task *t, uint64_t addr, int n, FILE *out);

/* Blocks the last emu_run executed of its slice (0 for an unsliced run). */
uint64_t emu_blocks_run(void);
/* Ask the running slice to end after the current instruction (hooks only). */
void emu_request_stop(void);
/* End the running slice soon (from a host signal handler: async-signal-safe):
 * at the next block start while the block hook runs; without it only when
 * @stop_anywhere (the engine is then stopped wherever it is, which may run
 * part of a block twice: for a task that never runs again). The slice
 * returns EMU_PREEMPTED, and so does every slice until emu_interrupt_taken(). */
void emu_interrupt(bool stop_anywhere);
void emu_interrupt_taken(void);
const char *emu_error(void);

/* For emu/chaos.c: the engine (a uc_engine *), the task on the CPU
 * during a run, and ending the slice before the next instruction (called
 * from a code hook: EMU_PREEMPTED). */
struct uc_struct *emu_engine(void);
struct task *emu_current_task(void);
void emu_preempt(void);
/* From a TCG helper about to raise #GP (emu/insn.c: RDTSC under
 * PR_TSC_SIGSEGV): the run ends with EMU_GPF. */
void emu_note_gpf(void);
/* The virtual address of the memory operand of the instruction at @rip
 * whose offset in its page is @page_off (memory hooks see physical
 * addresses); 0 when none matches. */
uint64_t emu_mem_operand(struct task *t, uint64_t rip, uint64_t page_off);

/* The explicit memory operands of the instruction at @rip (at most
 * @max): base and index as enum emu_reg (-1: none, -2: a register this
 * does not model), whether it is rip-relative, the segment (0, or
 * EREG_FS_BASE / EREG_GS_BASE). Returns how many, -1 when it cannot be
 * decoded; *@len: the instruction's length. */
struct emu_mem_op {
	int base, index, scale, seg;
	int size, access; /* bytes; 1 read, 2 written */
	int rip_rel;
	int64_t disp;
};
int emu_decode_mem_ops(struct task *t, uint64_t rip, struct emu_mem_op *ops, int max, int *len);

/* Registers of the task on the CPU. */
uint64_t emu_reg_read(enum emu_reg r);
void emu_reg_write(enum emu_reg r, uint64_t v);
void emu_vreg_read(int vreg, void *buf, size_t len);
void emu_vreg_write(int vreg, const void *buf, size_t len);
/* Fresh registers for a new program image: all zero but RIP, RSP and RFLAGS. */
void emu_reset_regs(uint64_t rip, uint64_t rsp);

/* Per-task saved contexts. */
struct cpu_context *emu_context_alloc(void);
void emu_context_free(struct cpu_context *c);
void emu_context_save(struct cpu_context *c);
void emu_context_load(const struct cpu_context *c);
/* Set a register in a saved context (a new task's, before it first runs). */
void emu_context_write(struct cpu_context *c, enum emu_reg r, uint64_t v);
/* A register of a saved context (a task not on the CPU). */
uint64_t emu_context_read(const struct cpu_context *c, enum emu_reg r);

/* Make @mm the one the CPU translates through. */
void emu_switch_mm(struct mm *mm);

/* CPUID as the guest sees it (features Unicorn executes correctly). */
void emu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
