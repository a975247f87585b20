#!/bin/sh
# Run the loader stub (loader-lx106.elf) on qemu-system-xtensa -M sim
# -cpu lx106: it streams IMAGE from the host through lfs_load into a RAM
# region at 0x40280000 standing in for flash and writes the region back.
#
# usage: lx106-run.sh QEMU ELF IMAGE VARIANT EXPECT WORKDIR [NM PLUGIN_SRC CC]
#   EXPECT  a file the region must equal byte for byte, or exit:N for a
#           load the stub must refuse with exit status N (10 + LFS_E_*)
#   NM, PLUGIN_SRC, CC  when given: build the instruction-count plugin
#           and report the instructions spent inside lfs_load
set -u
qemu=$1 elf=$2 img=$3 variant=$4 expect=$5 work=$6
nm=${7:-} plugin_src=${8:-} cc=${9:-}
mkdir -p "$work" || exit 1
name=$(echo "$img" | sed 's|.*/conformance/||; s|/|_|g')
out="$work/$name.region"
rm -f "$out"

run() {
  timeout 60 "$qemu" -M sim -cpu lx106 -nographic -monitor none \
    -semihosting-config enable=on,target=native,arg=loader,arg="$img",arg="$out",arg="$variant" \
    "$@" -kernel "$elf" < /dev/null
}

run
rc=$?
case $expect in
  exit:*)
    if [ "$rc" != "${expect#exit:}" ]; then
      echo "FAIL: exit status $rc, expected ${expect#exit:}"
      exit 1
    fi
    echo "refused as expected (exit $rc)"
    exit 0 ;;
esac
if [ "$rc" != 0 ]; then
  echo "FAIL: exit status $rc"
  exit 1
fi
if ! cmp "$out" "$expect"; then
  echo "FAIL: region differs from $expect"
  exit 1
fi
echo "region == $(basename "$expect") ($(wc -c < "$out") bytes)"

[ -n "$plugin_src" ] || exit 0
so="$work/libinsncount.so"
if [ ! -f "$so" ] || [ "$plugin_src" -nt "$so" ]; then
  # tests run in parallel: build privately, then rename into place
  "$cc" -O2 -shared -fPIC -o "$so.$$" "$plugin_src" && mv -f "$so.$$" "$so" ||
    { rm -f "$so.$$"; echo "instruction count: plugin could not be built"; exit 0; }
fi
addr() { "$nm" "$elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
counts="$work/$name.insns"
rm -f "$counts"
run -plugin "$so,begin=$(addr loader_mark_begin),end=$(addr loader_mark_end),lo=$(addr _loader_start),hi=$(addr _loader_end),out=$counts" > /dev/null
if [ $? != 0 ] || [ ! -s "$counts" ]; then
  echo "instruction count: QEMU could not run the plugin"
  exit 0
fi
load=$(awk '$1 == "insns_begin_to_end" { print $2 }' "$counts")
stub=$(awk '$1 == "insns_in_range" { print $2 }' "$counts")
echo "instructions for lfs_load of $name: $load ($stub inside the stub, the rest in the harness's flash/input callbacks)"
