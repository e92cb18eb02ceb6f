#!/bin/bash -eu
# Run by ClusterFuzzLite (and OSS-Fuzz) as $SRC/build.sh in $SRC/ksymres:
# the build lives in the tree, fuzz/oss-fuzz/build.sh.
exec bash -eu "$SRC/ksymres/fuzz/oss-fuzz/build.sh"
