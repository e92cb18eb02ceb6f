#!/bin/busybox sh
# /init of the real-kernel test initramfs (busybox ash). /ksr/mode says what
# this boot does:
#   capture  ksymres capture -> /out/profile.gz
#   load     runner.sh: load every object (originals through libbpf, the
#            patched ones with stock bpftool and ksymres load) and run them
# Every boot also records uname -r, /proc/version and _text/_stext from
# /proc/kallsyms (the KASLR reference). /out goes back to the host as a tar
# archive written onto the raw NVMe disk; the serial console only carries
# progress lines.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t bpf bpf /sys/fs/bpf
mount -t tmpfs tmpfs /tmp
ulimit -l unlimited

O=/out
mode=$(cat /ksr/mode)
up() { cut -d' ' -f1 /proc/uptime; }
echo "ksr: mode=$mode release=$(uname -r) uptime=$(up)"
uname -r >$O/release
cat /proc/version >$O/version
grep -E ' (_text|_stext)$' /proc/kallsyms >$O/text
[ -r /sys/kernel/btf/vmlinux ] && echo yes >$O/has_btf

case $mode in
capture)
	ksymres capture -o /tmp/profile >$O/capture.out 2>$O/capture.err
	echo $? >$O/capture.rc
	[ -e /tmp/profile ] && gzip -c /tmp/profile >$O/profile.gz
	;;
load)
	BPFTOOL=/usr/sbin/bpftool KSYMRES=/usr/bin/ksymres PIN_PREFIX=/sys/fs/bpf/ksr \
		sh /ksr/runner.sh $O /ksr/objs /ksr/patched
	;;
esac
echo "ksr: $mode finished uptime=$(up)"
up >$O/uptime
touch $O/done

i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do
	usleep 100000
	i=$((i + 1))
done
tar -cf - -C $O . | dd of=/dev/nvme0n1 bs=1M conv=fsync 2>/dev/null
sync
echo "ksr: results written"
poweroff -f
