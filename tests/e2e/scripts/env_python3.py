#!/usr/bin/env python3
# Run as PROGRAM: env finds python3 on PATH; all of it runs under the emulator.
import hashlib, json, sys
print(len(sys.argv) - 1, sys.argv[1:])
print(json.dumps({"md5": hashlib.md5(b"cloneemu").hexdigest()}, sort_keys=True))
sys.exit(5)
