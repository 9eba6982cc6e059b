# Helpers the benchmark scripts share; sourced, not run:  . "$(dirname "$0")/lib.sh"

# wrk_summary: reads a `wrk --latency` report on stdin; prints "requests/s p50_ms p99_ms".
wrk_summary() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    END { printf "%s %s %s\n", rps, p50, p99 }'
}

# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# listening_url FILE: the first URL a `Listening on URL` line of FILE names (empty if none).
listening_url() { grep -o 'Listening on http://[^ ]*' "$1" | head -1 | cut -d' ' -f3; }

# descendants PID: every process below PID, one per line.
descendants() { local c; for c in $(ps -o pid= --ppid "$1" 2>/dev/null || true); do echo "$c"; descendants "$c"; done; }

# cpu_ticks PID: "user system" CPU clock ticks of one process ("0 0" once it is gone). The
# fields are counted after the command name, which may contain spaces.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12, $13 }' "/proc/$1/stat" 2>/dev/null || echo "0 0"; }
