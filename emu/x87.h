/* Exact x87 (emu/x87.c): FPREM, FPREM1, FSCALE, FXTRACT, F2XM1, FYL2X,
 * FYL2XP1, FPTAN, FSIN, FCOS, FSINCOS, FPATAN, FSQRT and FRNDINT run on the
 * host's FPU instead of Unicorn's double-precision helpers. */
#ifndef EMU_X87_H
#define EMU_X87_H

#include <stdint.h>

/* How many of those instructions ran on the host's FPU (0 on a host
 * that is not x86_64, where Unicorn's own helpers run). */
uint64_t x87_exact_count(void);

#endif
