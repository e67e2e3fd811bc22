#!/bin/sh
# tests/cluster.sh -- padmine --shard as a cluster runs it: a one-node Slurm
# cluster on this machine (munged, slurmctld and slurmd under a configuration,
# key and state in this script's folder, on ports of their own), an array job of
# three tasks (sbatch --array=1-3 --wait) each mining its share of an archive into
# one export folder, which must then be byte for byte what one full run makes; the
# same array again changes nothing. The daemons are stopped at the end, whatever
# happened. Installs nothing: without slurmctld, slurmd and munged (Debian's
# slurm-wlm and munge; make check-cluster installs them), or not as root (slurmd
# runs jobs as their users), it says so and checks nothing.
. "$(dirname "$0")/lib.sh"
cd "$W" || exit 1
missing=""
for d in slurmctld slurmd munged sbatch sinfo scontrol; do
	command -v "$d" >/dev/null 2>&1 || missing="$missing $d"
done
if [ -n "$missing" ]; then
	echo "# skipped: no$missing here (Debian: slurm-wlm, munge; make check-cluster installs them)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "# skipped: a Slurm cluster on this machine needs root (slurmd runs jobs as their users)"
	exit 0
fi
MUSIC=/usr/share/games/wesnoth/1.16/data/core/music

# ---- the archive, and one full run of it
mkdir -p arch/sub arch/music
sox -n -r 48000 -c 2 arch/a.wav synth 6 sine 220 sine 277.18 tremolo 0.5 20 gain -12 fade 0.05 6 0.05
sox -n -r 44100 -c 1 arch/sub/a.wav synth 6 sine 330 tremolo 0.3 20 gain -10
sox -n -r 44100 -c 1 arch/hiss.flac synth 6 whitenoise highpass 5000 tremolo 0.3 10 gain -14
sox -n -r 22050 -c 1 arch/sub/tone.aiff synth 5 sine 110 sine 165 tremolo 0.2 20 gain -9
[ -f "$MUSIC/elf-land.ogg" ] && cp "$MUSIC/elf-land.ogg" arch/music/
padmine -d "$W/ref" arch 2>ref.err
check "the full run mines the archive" sh -c "[ -s ref/manifest.csv ] && [ ! -s ref.err ]"
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs md5sum); }
sums ref >ref.sums

# ---- the cluster: munge key, slurm.conf naming this machine, state in $W/slurm
D=$W/slurm
mkdir -p "$D/ctld" "$D/spool"
chmod 755 "$D" # munged wants its socket's folder open to all
H=$(hostname -s)
dd if=/dev/urandom of="$D/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$D/munge.key"
# two ports nothing listens on
ports=$(python3 -c "
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(('127.0.0.1', 0))
print(' '.join(str(x.getsockname()[1]) for x in s))")
set -- $ports
cat >"$D/slurm.conf" <<EOF
ClusterName=shards
SlurmctldHost=$H
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge.sock
CredType=cred/munge
SlurmctldPort=$1
SlurmdPort=$2
StateSaveLocation=$D/ctld
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
NodeName=$H NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=shards Nodes=$H Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$D/slurm.conf"

mpid="" cpid="" dpid=""
stop() {
	# only the daemons this script started, by their ids
	[ -n "$cpid" ] && scontrol shutdown >/dev/null 2>&1
	for p in $dpid $cpid; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$mpid" ] && { kill "$mpid" 2>/dev/null; wait "$mpid" 2>/dev/null; }
	mpid="" cpid="" dpid=""
}
trap stop EXIT INT TERM
logs() { tail -n 5 "$D"/*.log "$D"/*.out 2>/dev/null; }

munged -F --key-file="$D/munge.key" -S "$D/munge.sock" --pid-file="$D/munged.pid" \
	--log-file="$D/munged.log" --seed-file="$D/munged.seed" >"$D/munged.out" 2>&1 &
mpid=$!
wait_for $mpid test -S "$D/munge.sock"
check "munged answers on its socket" sh -c "munge -S '$D/munge.sock' -n | unmunge -S '$D/munge.sock' >/dev/null"
slurmctld -D -c -f "$D/slurm.conf" >"$D/slurmctld.out" 2>&1 &
cpid=$!
slurmd -D -N "$H" -f "$D/slurm.conf" >"$D/slurmd.out" 2>&1 &
dpid=$!
# the node comes up idle, or a daemon dies (a failure with the daemons' logs; a
# cluster that never comes up is stopped by tests/run's hang guard)
idle_or_gone() { [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] || ! kill -0 "$dpid" 2>/dev/null; }
wait_for "$cpid" idle_or_gone
if [ "$(sinfo -h -o %t 2>/dev/null)" != idle ]; then
	fail "a one-node cluster on $H comes up" "$(logs)"
	exit 0
fi
pass "a one-node cluster on $H comes up (munged, slurmctld, slurmd)"

# ---- the array job: three tasks, one share each, one export folder
job="padmine -j 1 -d $W/cl --shard \$SLURM_ARRAY_TASK_ID/3 $W/arch"
check "sbatch --array=1-3 --wait: every task ends with 0" \
	sbatch --wait --array=1-3 -o "$W/task-%a.out" -e "$W/task-%a.err" --wrap "$job"
check "three tasks ran, each quiet" sh -c "[ \$(ls task-*.err | wc -l) = 3 ] && ! cat task-*.err | grep -q ."
sums cl >cl.sums
same_file "the array job's folder is the full run's, byte for byte" ref.sums cl.sums
check "the same array again: every task ends with 0" \
	sbatch --wait --array=1-3 -o "$W/again-%a.out" -e "$W/again-%a.err" --wrap "$job"
sums cl >cl2.sums
same_file "...and changes nothing" ref.sums cl2.sums
started="$mpid $cpid $dpid"
stop
check "the daemons are stopped" sh -c "for p in $started; do ! kill -0 \$p 2>/dev/null || exit 1; done"
exit 0
