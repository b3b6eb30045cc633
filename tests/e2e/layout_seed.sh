#!/usr/bin/env bash
# layout_seed.sh EMULATOR
#
# Address-space layout and --seed: seed 0 is Linux's layout without
# randomization (a PIE at 0x555555554000, ld.so at the top of the mmap
# area, as under setarch -R); another seed moves the PIE and the mmap area
# (ld.so, libraries) by offsets drawn from it: the same seed gives the same
# layout, two seeds give two layouts.
set -uo pipefail
emu=$(realpath "$1")
layout() { # SEED: the start of cat's first mapping and of ld.so's
	env -i PATH=/usr/bin:/bin "$emu" --seed "$1" /bin/cat /proc/self/maps |
		awk '$6 ~ /\/cat$/ && !c++ { printf "%s ", $1 } $6 ~ /ld-linux/ && !l++ { print $1 }'
}
fail=0
l0=$(layout 0) a=$(layout 7) b=$(layout 7) c=$(layout 9)
case $l0 in 555555554000-*) ;; *) echo "seed 0: the PIE is not at 0x555555554000: $l0"; fail=1 ;; esac
[ "$a" = "$b" ] || { echo "seed 7 twice: two layouts: $a / $b"; fail=1; }
[ "$a" != "$c" ] || { echo "seeds 7 and 9: the same layout $a"; fail=1; }
[ "${a%% *}" != "${l0%% *}" ] || { echo "seed 7: the PIE did not move"; fail=1; }
[ "${a#* }" != "${l0#* }" ] || { echo "seed 7: ld.so did not move"; fail=1; }
[ $fail -eq 0 ] && echo "layout_seed: seed 0 $l0; seed 7 $a; seed 9 $c"
exit $fail
