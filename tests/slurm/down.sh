#!/usr/bin/env bash
# Stop the single-node SLURM started by tests/slurm/up.sh. Idempotent: safe to
# run when nothing is up. Only stops daemons whose pid files up.sh wrote.
set -uo pipefail

dir="${HER2RESIST_SLURM_DIR:-/tmp/her2resist-slurm}"
conf="$dir/slurm.conf"
marker="# written by her2resist tests/slurm/up.sh"

stop_pidfile() {  # stop_pidfile NAME PIDFILE
    local name=$1 pidfile=$2 pid
    [[ -s $pidfile ]] || return 0
    pid="$(cat "$pidfile")"
    # only kill it if that pid is still the daemon we started
    if [[ -r /proc/$pid/comm ]] && [[ $(cat "/proc/$pid/comm") == "$name" ]]; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

if [[ -f $conf ]]; then
    export SLURM_CONF="$conf"
    if [[ -s $dir/run/slurmctld.pid ]]; then
        timeout 10 scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
        sleep 1
    fi
fi
stop_pidfile slurmd "$dir/run/slurmd.pid"
stop_pidfile slurmctld "$dir/run/slurmctld.pid"
if [[ -f $dir/run/munged.ours ]]; then
    stop_pidfile munged /run/munge/munged.pid
    rm -f "$dir/run/munged.ours"
fi
if [[ -f /etc/slurm/slurm.conf ]] && grep -qF "$marker" /etc/slurm/slurm.conf; then
    rm -f /etc/slurm/slurm.conf
fi
echo "[slurm-down] stopped (state kept in $dir for inspection)" >&2
exit 0
