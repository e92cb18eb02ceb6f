# Run inside `unshare -m`: hides the kernel's BTF and kallsyms from the
# command given as arguments, then runs it.
set -e
# Refuse to run in the initial mount namespace: the mounts below would hide
# the kernel's files from the whole machine.
if [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/$PPID/ns/mnt)" ]; then
  echo "hide_kernel.sh: run me under unshare -m" >&2
  exit 1
fi
mount --make-rprivate /
mount -t tmpfs none /sys/kernel/btf
mount --bind /dev/null /proc/kallsyms
exec "$@"
