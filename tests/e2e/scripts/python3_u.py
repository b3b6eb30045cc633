#!/usr/bin/python3 -u
# Run as PROGRAM with an interpreter option: -u makes stdout unbuffered.
import os, sys
print("unbuffered:", not sys.stdout.line_buffering and sys.stdout.write_through)
print("args:", sys.argv[1:])
os.write(1, b"raw write after print\n")
