# Run inside `unshare -m`: hides the kernel's BTF and kallsyms from the
# command given as arguments, then runs it.
set -e
mount --make-rprivate /
mount -t tmpfs none /sys/kernel/btf
mount --bind /dev/null /proc/kallsyms
exec "$@"
