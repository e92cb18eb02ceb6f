# runner.sh OUT ORIGDIR PATCHEDDIR  (POSIX sh: busybox ash in the guests,
# bash on the host)
# For every ORIGDIR/<case>.bpf.o, in this kernel:
#   libbpf   the original object with stock `bpftool prog loadall` (libbpf
#            resolves the externs live: the kernel's own answer);
#   bpftool  PATCHEDDIR/<case>.bpf.o (resolved offline) with stock bpftool;
#   ksymres  the same with `ksymres load --run -j` (when this ksymres has it).
# Every loaded program is test-run once (tc: a 64-byte zero packet; syscall:
# no context, repeat 0 as the kernel requires).
# OUT/results.txt lines: "load CASE LOADER ok|fail" and
# "ret CASE LOADER PROGRAM VALUE|none"; the loaders' stdout and stderr go to
# OUT/logs/CASE.LOADER.{out,err} (ksymres: .json).
# Environment: BPFTOOL, KSYMRES, PIN_PREFIX (a bpffs path prefix).
O=$1
ORIG=$2
PATCHED=$3
BPFTOOL=${BPFTOOL:-bpftool}
KSYMRES=${KSYMRES:-ksymres}
PIN_PREFIX=${PIN_PREFIX:-/sys/fs/bpf/ksr}
R=$O/results.txt
PKT=$O/packet.bin
mkdir -p "$O/logs"
: >"$R"
head -c 64 /dev/zero >"$PKT"

KSYMRES_LOAD=0
if "$KSYMRES" --help 2>&1 | grep -q '^ *load '; then
	KSYMRES_LOAD=1
fi
echo "ksymres_load $KSYMRES_LOAD" >>"$R"
echo "libbpf $("$BPFTOOL" version 2>/dev/null | sed -n 's/.*libbpf v\([0-9.]*\).*/\1/p')" >>"$R"

# with_bpftool CASE LOADER OBJECT
with_bpftool() {
	d=$PIN_PREFIX-$1-$2
	log=$O/logs/$1.$2
	rm -rf "$d"
	if "$BPFTOOL" prog loadall "$3" "$d" >"$log.out" 2>"$log.err"; then
		echo "load $1 $2 ok" >>"$R"
		for p in "$d"/*; do
			[ -e "$p" ] || continue
			if "$BPFTOOL" prog show pinned "$p" | head -1 | grep -q ': syscall '; then
				out=$("$BPFTOOL" prog run pinned "$p" repeat 0 2>&1)
			else
				out=$("$BPFTOOL" prog run pinned "$p" data_in "$PKT" repeat 1 2>&1)
			fi
			ret=$(echo "$out" | sed -n 's/^Return value: \([0-9]*\).*/\1/p')
			echo "ret $1 $2 ${p##*/} ${ret:-none}" >>"$R"
			[ -n "$ret" ] || echo "run ${p##*/}: $out" >>"$log.err"
		done
	else
		echo "load $1 $2 fail" >>"$R"
	fi
	rm -rf "$d"
}

# with_ksymres CASE OBJECT
with_ksymres() {
	log=$O/logs/$1.ksymres
	"$KSYMRES" load "$2" --run -j >"$log.json" 2>"$log.err"
	echo "load $1 ksymres rc=$?" >>"$R"
}

# timed CASE LOADER CMD...: runs CMD, adds "time CASE LOADER SECONDS" (load,
# test-runs and unpinning; /proc/uptime, so guest time)
timed() {
	t0=$(cut -d' ' -f1 /proc/uptime)
	c_=$1
	l_=$2
	shift 2
	"$@"
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "time $c_ $l_ $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" >>"$R"
}

for obj in "$ORIG"/*.bpf.o; do
	c=${obj##*/}
	c=${c%.bpf.o}
	timed "$c" libbpf with_bpftool "$c" libbpf "$obj"
	if [ -e "$PATCHED/$c.bpf.o" ]; then
		timed "$c" bpftool with_bpftool "$c" bpftool "$PATCHED/$c.bpf.o"
		[ "$KSYMRES_LOAD" = 1 ] && timed "$c" ksymres with_ksymres "$c" "$PATCHED/$c.bpf.o"
	fi
done
echo "end" >>"$R"
