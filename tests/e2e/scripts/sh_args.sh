#!/bin/sh
# Run as PROGRAM: the host's dash gets "$0" = this script and our arguments.
echo "argc $#: [$1] [$2]"
case $0 in */sh_args.sh) echo "\$0 names the script" ;; *) echo "\$0 is $0" ;; esac
for w in c a b; do echo "$w"; done | sort | tr '\n' ' '
echo
exit 4
