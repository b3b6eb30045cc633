/*
 * fxsave_xmm: FXSAVE/FXRSTOR keep the SSE state, as with Linux's CR4.OSFXSR
 * set. glibc's ld.so saves the argument registers of a lazily bound call
 * with them (_dl_runtime_resolve_fxsave when XSAVE is not offered), so a
 * dynamic program's first call of cos(0.5) depends on this.
 *
 *   - fxsave64 stores XMM0 and MXCSR; pxor clears XMM0; fxrstor64 brings
 *     the value back
 *   - an MXCSR with a changed rounding mode survives the round trip
 */
#include "guest_check.h"

#include <stdint.h>

int main(void)
{
	static uint8_t area[512] __attribute__((aligned(64)));
	double in = 0.5, out = 0;
	__asm__ volatile("movsd %[in], %%xmm0\n\t"
			 "fxsave64 %[a]\n\t"
			 "pxor %%xmm0, %%xmm0\n\t"
			 "fxrstor64 %[a]\n\t"
			 "movsd %%xmm0, %[out]\n\t"
			 : [out] "=m"(out), [a] "+m"(area)
			 : [in] "m"(in)
			 : "xmm0");
	uint64_t saved;
	uint32_t mxcsr;
	memcpy(&saved, area + 160, sizeof(saved));
	memcpy(&mxcsr, area + 24, sizeof(mxcsr));
	check(out == 0.5, 2, "XMM0 restored by fxrstor64");
	check(saved == 0x3fe0000000000000ull, 3, "XMM0 stored at byte 160 of the image");
	check((mxcsr & 0xffbf) == 0x1f80, 4, "MXCSR stored at byte 24 (0x%x)", mxcsr & 0xffbf);

	uint32_t csr = 0x1f80 | (3u << 13), back = 0; /* round toward zero */
	__asm__ volatile("ldmxcsr %[c]\n\t"
			 "fxsave64 %[a]\n\t"
			 "movl $0x1f80, %[b]\n\t"
			 "ldmxcsr %[b]\n\t"
			 "fxrstor64 %[a]\n\t"
			 "stmxcsr %[b]\n\t"
			 : [a] "+m"(area), [b] "+m"(back)
			 : [c] "m"(csr));
	check((back & 0xffbf) == csr, 5, "MXCSR's rounding mode restored by fxrstor64");
	return guest_finish();
}
