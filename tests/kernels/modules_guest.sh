#!/bin/busybox sh
# /init of the modules_live.sh guest: conntrack.bpf.o resolved on the host
# against a profile made from the package only (vmlinux + module files),
# loaded here before and after nf_conntrack (and its dependencies) are
# insmod'ed from the package tree. Results go back on the NVMe disk.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t bpf bpf /sys/fs/bpf
mount -t tmpfs tmpfs /tmp
ulimit -l unlimited
O=/out K=/ksr P=/ksr/patched.bpf.o
uname -r >$O/release
# t NAME CMD...: runs CMD, its output, errors and status in $O/NAME.*
t() { n=$1; shift; "$@" >$O/$n.out 2>$O/$n.err; echo $? >$O/$n.rc; }
ls /sys/kernel/btf >$O/btf_before
t load_nomod ksymres load $P -j
t bpftool_nomod bpftool prog load $P /sys/fs/bpf/nomod
for m in $(cat $K/mods/order); do insmod $K/mods/$m.ko 2>>$O/insmod.err || echo "insmod $m failed" >>$O/insmod.err; done
ls /sys/kernel/btf >$O/btf_after
t capture ksymres capture -o /tmp/profile
[ -e /tmp/profile ] && gzip -c /tmp/profile >$O/profile.gz
# vmlinux and module externs in one object, resolved here
t resolve_mixed ksymres resolve $K/conntrack_mixed.bpf.o -p /tmp/profile -o /tmp/mixed.bpf.o
t load_mixed ksymres load /tmp/mixed.bpf.o --run -j
t bpftool_mixed bpftool prog load /tmp/mixed.bpf.o /sys/fs/bpf/mixed
# another build of nf_conntrack (the recorded identity altered on the host)
t load_other ksymres load $K/patched_other.bpf.o -j
t load_rr ksymres load $K/patched_other.bpf.o --reresolve --run -j
t load ksymres load $P --run -j
t load_v ksymres load $P --run
t bpftool_load bpftool prog load $P /sys/fs/bpf/ct
printf 'ksymres test packet, 64 bytes, for bpftool prog run (ct_xdp)...' >/tmp/pkt
t bpftool_run bpftool prog run pinned /sys/fs/bpf/ct data_in /tmp/pkt repeat 1
t orig_load ksymres load $K/conntrack.bpf.o --run -j
# the TC variant (bpf_skb_ct_lookup), resolved on the host like patched.bpf.o
t load_tc ksymres load $K/patched_tc.bpf.o --run -j
t bpftool_tc bpftool prog load $K/patched_tc.bpf.o /sys/fs/bpf/tc
t bpftool_tc_run bpftool prog run pinned /sys/fs/bpf/tc data_in /tmp/pkt repeat 1
# timing: N rounds, each: ksymres load (patched), bpftool prog load
# (patched), bpftool prog load (original), and the two programs' start
# alone (ksymres --version, bpftool version); interleaved so that drift
# hits all alike. The uptime clock has 10 ms steps: totals in centiseconds.
N=40
cs() { u=$(cut -d' ' -f1 /proc/uptime); echo $((${u%.*} * 100 + 1${u#*.} - 100)); }
k=0 bp=0 bo=0 kv=0 bv=0 i=0
while [ $i -lt $N ]; do
	rm -f /sys/fs/bpf/tm /sys/fs/bpf/to
	t0=$(cs); ksymres load $P >/dev/null 2>&1
	t1=$(cs); bpftool prog load $P /sys/fs/bpf/tm >/dev/null 2>&1
	t2=$(cs); bpftool prog load $K/conntrack.bpf.o /sys/fs/bpf/to >/dev/null 2>&1
	t3=$(cs); ksymres --version >/dev/null 2>&1
	t4=$(cs); bpftool version >/dev/null 2>&1
	t5=$(cs)
	k=$((k + t1 - t0)) bp=$((bp + t2 - t1)) bo=$((bo + t3 - t2)) kv=$((kv + t4 - t3)) bv=$((bv + t5 - t4))
	i=$((i + 1))
done
echo "$N $k $bp $bo $kv $bv" >$O/timing
touch $O/done
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
tar -cf - -C $O . | dd of=/dev/nvme0n1 bs=1M conv=fsync 2>/dev/null
sync
poweroff -f
