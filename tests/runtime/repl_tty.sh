#!/bin/sh
# The interactive REPL on a real terminal (tmux): a multi-line function,
# =expr, an error and then a correct line, history recall with the up arrow
# and line editing, Ctrl-D; the history file then carries over to the next
# session and LFSIMG_HISTORY= keeps none. Asserts what the screen shows.
# usage: repl_tty.sh LFSIMG IMAGE
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 IMG=$2
command -v tmux > /dev/null || { echo "tmux not installed"; exit 77; }
case $LFSIMG in /*) ;; *) LFSIMG=$PWD/$LFSIMG ;; esac
case $IMG in /*) ;; *) IMG=$PWD/$IMG ;; esac
T=$(mktemp -d)
# The banner names the image, and must fit the 80 columns wherever the
# image is: the session runs a copy with a short path.
I=$(mktemp -d)
cp "$IMG" "$I/lfs.img" || exit 1
IMG=$I/lfs.img
SOCK=lfsc-repl-$$ n=0
tm() { tmux -L "$SOCK-$n" -f /dev/null "$@"; }
trap 'tm kill-server 2> /dev/null; rm -rf "$T" "$I"' EXIT
pass=0 fail=0

# start HISTORY: a session running the REPL, then printing its exit status
start() {
  tm kill-server 2> /dev/null
  n=$((n + 1))
  cd "$T" && tm new-session -d -x 80 -y 30 \
    "env TERM=xterm LFSIMG_HISTORY='$1' '$LFSIMG' run '$IMG'; echo \"exit status \$?\"; sleep 300"
}
screen() { tm capture-pane -p 2> /dev/null | sed -e 's/ *$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }
# wait until the screen shows TEXT (a fixed string, trailing blanks
# trimmed) as a whole line
wait_for() {
  i=0
  while [ $i -lt 200 ]; do
    screen | grep -qxF -- "$1" && return 0
    sleep 0.1; i=$((i + 1))
  done
  fail=$((fail + 1)); echo "FAIL: timed out waiting for: $1"; screen; return 1
}
keys() { tm send-keys "$@"; }
line() { tm send-keys -l -- "$1"; tm send-keys Enter; }
check() {
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $1"; echo "--- want"; echo "$2"; echo "--- got"; echo "$3"; fi
}

start "$T/hist"
wait_for ">"
line 'function f(a)'; wait_for ">>"
line '  return a * 2'; line 'end'
line '=f(21)'; wait_for "42"
line '=1+1'; wait_for "2"
line 'error("oops")'; wait_for "        stdin:1: in main chunk"
line '=f(5)'; wait_for "10"
keys Up; keys BSpace BSpace; tm send-keys -l '7)'; keys Enter; wait_for "14"
keys C-d; wait_for "exit status 0"
check "the screen of a session" "Lua 5.1.5; $IMG; Ctrl-D exits
> function f(a)
>>   return a * 2
>> end
> =f(21)
42
> =1+1
2
> error(\"oops\")
lfsimg: stdin:1: oops
stack traceback:
        [C]: in function 'error'
        stdin:1: in main chunk
> =f(5)
10
> =f(7)
14
>
exit status 0" "$(screen)"
check "the history file holds the session's entries" "=f(7)" "$(tail -1 "$T/hist" 2> /dev/null)"

start "$T/hist"
wait_for ">"
keys Up; sleep 0.3
check "history carries over to the next session" "> =f(7)" "$(screen | tail -1)"
keys C-u C-d; wait_for "exit status 0"

# Ctrl-C: a running chunk is interrupted with a traceback and the prompt
# stays; at a prompt it drops what was typed (also a half-typed statement);
# a multi-line entry comes back whole from the history file.
start "$I/hist2"
wait_for ">"
line 'print("spinning") while true do end'; wait_for 'spinning'; sleep 0.2; keys C-c; wait_for "        stdin:1: in main chunk"
line 'function g()'; wait_for ">>"
line '  return 3'; line 'end'
tm send-keys -l 'half'; keys C-c
line 'for i = 1, 2 do'; wait_for ">>"; keys C-c
line '=g() + 1'; wait_for "4"
keys C-d; wait_for "exit status 0"
check "Ctrl-C interrupts the chunk, the session goes on" "1" \
  "$(screen | grep -c 'lfsimg: interrupted!$')"
check "Ctrl-C at a prompt drops the input (no other error)" "1" "$(screen | grep -c 'lfsimg: ')"
start "$I/hist2"
wait_for ">"
keys Up Up; sleep 0.3; keys Enter
line '=g() * 2'; wait_for "6"
keys C-d; wait_for "exit status 0"
check "a multi-line entry comes back whole" "> function g()
  return 3
end" "$(screen | sed -n 2,4p)"

start ""
wait_for ">"
line '=node.LFS.time'; wait_for "1700000000"
keys C-d; wait_for "exit status 0"
check "LFSIMG_HISTORY= keeps no history file" "hist" "$(ls "$T")"

tally_end 7
