#!/usr/bin/env bash
# Touches most of the machine's free memory once, then frees it.
#
# On a freshly booted virtual machine the hypervisor backs guest memory lazily: the first write to a
# page the guest has never used costs a trap to the host (about 2.7 µs a page here, 450 MB/s), every
# later write to it nothing extra. A benchmark that writes new files then pays for pages the page
# cache takes for the first time: the same 3 GB write took 6.7 s of system time on a fresh VM and
# 0.8 s once its memory had been used. Run this once after boot, before benchmarks, so that they
# measure the software and not the first touch. It changes nothing for a machine that has run a while.
#
#   bash bench/warm-memory.sh [GiB]     default: free memory minus 2 GiB
set -euo pipefail
gib="${1:-}"
if [ -z "$gib" ]; then
  free_gib=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
  gib=$((free_gib > 3 ? free_gib - 2 : 1))
fi
echo "touching $gib GiB once (a write per 4 KiB page)..."
/usr/bin/python3 - "$gib" <<'PY'
import mmap, sys, time
n = int(sys.argv[1]) << 30
start = time.time()
m = mmap.mmap(-1, n)
for off in range(0, n, 4096):
    m[off] = 1
m.close()
print(f"done in {time.time() - start:.1f} s")
PY
