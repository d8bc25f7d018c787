# bench/pressure.sh — sourced by the benchmark scripts: CPU pressure (PSI), the share of wall time in
# which some runnable task waited for a CPU. Other jobs on the machine, and client and server sharing
# the cores, both show up here.
pressure_mark() {  # prints "<wall µs> <cpu-wait µs>"
  local wait_us
  wait_us="$(awk '/^some/ { sub("total=", "", $5); print $5 }' /proc/pressure/cpu 2>/dev/null || true)"
  echo "$(($(date +%s%N) / 1000)) ${wait_us:-0}"
}
pressure_since() {  # mark; prints the percentage, or "n/a" without PSI
  [ -r /proc/pressure/cpu ] || { echo n/a; return; }
  read -r wall0 wait0 <<<"$1"
  read -r wall1 wait1 <<<"$(pressure_mark)"
  awk -v w="$((wait1 - wait0))" -v t="$((wall1 - wall0))" 'BEGIN { printf "%.1f", 100 * w / t }'
}
