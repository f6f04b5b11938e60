#!/usr/bin/env bash
# Bring up a throw-away single-node SLURM (slurmctld + slurmd + munged) on this
# machine, from the Debian packages, without systemd. Needs root.
#
#   tests/slurm/up.sh      # prints "export SLURM_CONF=..." on its last line
#   tests/slurm/down.sh
#
# State, spool, logs and slurm.conf live in $HER2RESIST_SLURM_DIR
# (default /tmp/her2resist-slurm). No accounting (no slurmdbd): use
# `--slurm-status-command squeue` with the Snakemake SLURM executor.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${HER2RESIST_SLURM_DIR:-/tmp/her2resist-slurm}"
timeout="${HER2RESIST_SLURM_TIMEOUT:-60}"
marker="# written by her2resist tests/slurm/up.sh"

log() { echo "[slurm-up] $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
    log "must run as root (munged, slurmd)"; exit 1
fi

# 1. packages -----------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# start from a clean slate (idempotent)
"$here/down.sh" >/dev/null 2>&1 || true
rm -rf "$dir"
mkdir -p "$dir"/{state,spool,log,run}
chmod 755 "$dir"

# 2. munge --------------------------------------------------------------------
install -d -o munge -g munge -m 0700 /etc/munge
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating /etc/munge/munge.key"
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    # munged refuses to run as root; its pid file must be writable by munge
    runuser -u munge -- /usr/sbin/munged \
        --pid-file=/run/munge/munged.pid 2>"$dir/log/munged.err" \
        || { log "munged failed:"; cat "$dir/log/munged.err" >&2; exit 1; }
    # runuser returns once munged has daemonised; the pid file may lag a little
    for _ in $(seq 50); do [[ -s /run/munge/munged.pid ]] && break; sleep 0.1; done
    munge -n </dev/null | unmunge >/dev/null || { log "munge self-test failed"; exit 1; }
    echo started >"$dir/run/munged.ours"
fi

# 3. slurm.conf ---------------------------------------------------------------
host="$(hostname -s)"
cpus="$(nproc)"
avail_mb=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
real_mb=$((avail_mb * 80 / 100))   # below free memory, leaves room for the daemons
conf="$dir/slurm.conf"
cat >"$conf" <<CONF
$marker
ClusterName=her2resist-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# squeue keeps finished jobs this long; the executor's squeue status check needs it
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
Waittime=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"
# so that plain `sinfo`/`squeue` work too; never overwrite a real site config
mkdir -p /etc/slurm
if [[ ! -e /etc/slurm/slurm.conf ]] || grep -qF "$marker" /etc/slurm/slurm.conf; then
    cp "$conf" /etc/slurm/slurm.conf
fi

# 4. daemons ------------------------------------------------------------------
/usr/sbin/slurmctld -c -f "$conf" || { log "slurmctld failed"; tail -20 "$dir/log/slurmctld.log" >&2; exit 1; }
/usr/sbin/slurmd -f "$conf" || { log "slurmd failed"; tail -20 "$dir/log/slurmd.log" >&2; exit 1; }

log "waiting up to ${timeout}s for node $host to become idle"
deadline=$((SECONDS + timeout))
state=""
while ((SECONDS < deadline)); do
    state="$(sinfo -h -N -n "$host" -o '%T' 2>/dev/null || true)"
    if [[ $state == idle ]]; then
        log "node $host idle (CPUs=$cpus RealMemory=${real_mb}MB); SLURM_CONF=$conf"
        echo "export SLURM_CONF=$conf"
        exit 0
    fi
    # a node that came up 'down'/'drained' from an earlier run: resume it
    if [[ $state == down* || $state == drain* ]]; then
        scontrol update NodeName="$host" State=RESUME 2>/dev/null || true
    fi
    sleep 1
done
log "node not idle after ${timeout}s (state: '${state}')"
tail -20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
exit 1
