#!/usr/bin/env bash
#
# galera.sh: a throwaway three-node MariaDB Galera cluster on loopback, for
# tests and CI. Every node is a private mariadbd with its own datadir, socket,
# pid file, error log and ports, bound to 127.0.0.1. The nodes never read
# /etc/mysql, and the script never touches any other MariaDB on the machine
# (e.g. the one on 127.0.0.1:3306): it only signals PIDs it started itself, as
# recorded in its own pid files, and only deletes files under DIR.
#
# Usage:
#   scripts/galera.sh up     [DIR]  start (or reuse) the cluster, wait until all
#                                   three nodes are Synced with cluster size 3,
#                                   make database `test` (utf8mb4_bin), and
#                                   print the three URLs as the last stdout line
#   scripts/galera.sh down   [DIR]  stop all nodes cleanly (idempotent)
#   scripts/galera.sh status [DIR]  print each node's state and cluster size;
#                                   exit 0 only if all three are Synced, size 3
#   scripts/galera.sh kill N [DIR]  SIGKILL node N (1-3), for fault tests
#   scripts/galera.sh start N [DIR] restart node N into the running cluster
#                                   (it rejoins by IST or rsync SST) and wait
#                                   until it is Synced
#   scripts/galera.sh urls   [DIR]  print the URLs without checking anything
#   scripts/galera.sh clean  [DIR]  `down`, then delete DIR
#
#   export INVITE_TEST_GALERA=$(scripts/galera.sh up | tail -1)
#   # -> mysql://root:@127.0.0.1:4306/test,mysql://root:@127.0.0.1:4307/test,...
#
# Progress and diagnostics go to stderr; stdout carries only the URLs.
# On a failed wait the script prints the tail of the node's error log and
# exits non-zero.
#
# Environment:
#   GALERA_DIR          default DIR                  (/tmp/invite-galera)
#   GALERA_PORTS        SQL ports "a,b,c"            (4306,4307,4308)
#   GALERA_GCOMM_PORTS  group ports "a,b,c"          (4567,4577,4587);
#                       node N also uses gcomm+1 for IST and gcomm+2 for SST
#   GALERA_TIMEOUT      seconds to wait for a node to be Synced (120)
#   GALERA_PROVIDER     path of libgalera_smm.so     (found via dpkg -L galera-4)
#   GALERA_PROVIDER_OPTIONS  extra wsrep_provider_options, e.g.
#                       "evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S"
#   MARIADBD            server binary                (mariadbd on PATH or /usr/sbin)
#   GALERA_USER         when run as root, the user mariadbd drops to (mysql);
#                       not root, because rsync SST fails when the joiner's
#                       rsync daemon is started by root (it becomes "nobody")
#
# Layout: DIR/nodeN/{my.cnf,data/,tmp/,mysqld.sock,node.pid,mysqld.pid,error.log};
# node.pid is the PID this script launched, mysqld.pid the one mariadbd wrote.
# Each node runs with --defaults-file=DIR/nodeN/my.cnf (regenerated on every
# start), so the system configuration does not interfere. The SQL user root
# has an empty password over TCP (root@127.0.0.1) and the socket (@localhost).
# Per node: innodb_buffer_pool_size=64M, gcache.size=64M (a 64 MB file),
# about 100 MB resident when idle, ~170 MB after some work, ~130 MB on disk.
# If `up` fails, the nodes that did start are left running for inspection;
# run `down` (or `clean`).
#
# Restarting after `down` (or after every node was killed): node 1 is the
# authority. `up` sets safe_to_bootstrap: 1 in node 1's grastate.dat and
# bootstraps it with --wsrep-new-cluster, and it deletes grastate.dat and
# gvwstate.dat of nodes 2 and 3 so that they always take a full rsync SST from
# node 1 instead of refusing to join because their own state looks newer or
# unknown. Writes that reached only nodes 2 or 3 before a total crash are lost;
# this is a test cluster. `clean` wipes everything for a fresh start.
# If some nodes still run, `up` restarts only the missing ones as joiners; if
# the survivors lost quorum (two nodes killed), it first re-bootstraps the
# Primary component on the survivor with the highest seqno (pc.bootstrap=YES).
#
# Needs only MariaDB (mariadbd, mariadb-install-db, mariadb client and admin),
# galera-4, and rsync (for SST); bash 4+.

set -euo pipefail

readonly PROG=${0##*/}
TIMEOUT=${GALERA_TIMEOUT:-120}
readonly STOP_TIMEOUT=60

log() { printf '[%s %s] %s\n' "$PROG" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	sed -n '/^# Usage:/,/^# Layout:/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

# ---------------------------------------------------------------- settings

split_ports() { # $1 = name of variable, $2 = "a,b,c" -> prints "a b c"
	local name=$1 value=$2 p
	local -a list
	IFS=, read -r -a list <<<"$value"
	[[ ${#list[@]} -eq 3 ]] || die "$name must list three ports, got '$value'"
	for p in "${list[@]}"; do
		if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65533)); then
			die "$name: bad port '$p'"
		fi
	done
	echo "${list[@]}"
}

# shellcheck disable=SC2207
SQL_PORTS=($(split_ports GALERA_PORTS "${GALERA_PORTS:-4306,4307,4308}"))
# shellcheck disable=SC2207
GCOMM_PORTS=($(split_ports GALERA_GCOMM_PORTS "${GALERA_GCOMM_PORTS:-4567,4577,4587}"))
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "GALERA_TIMEOUT must be a number of seconds"
check_port_plan() { # the 12 ports (SQL, gcomm, IST, SST per node) must differ
	local i g p seen=" "
	for i in 0 1 2; do
		g=${GCOMM_PORTS[$i]}
		for p in "${SQL_PORTS[$i]}" "$g" $((g + 1)) $((g + 2)); do
			[[ $seen != *" $p "* ]] || die "port $p is used twice; check GALERA_PORTS and GALERA_GCOMM_PORTS"
			seen+="$p "
		done
	done
}
check_port_plan

find_bin() { # first of the given names found on PATH or in /usr/sbin, /usr/bin
	local b
	for b in "$@"; do
		if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
		[[ -x /usr/sbin/$b ]] && { echo "/usr/sbin/$b"; return 0; }
		[[ -x /usr/bin/$b ]] && { echo "/usr/bin/$b"; return 0; }
	done
	return 1
}

find_provider() {
	local f listing
	if [[ -n ${GALERA_PROVIDER:-} ]]; then
		[[ -f $GALERA_PROVIDER ]] || die "GALERA_PROVIDER=$GALERA_PROVIDER does not exist"
		echo "$GALERA_PROVIDER"
		return
	fi
	listing=$(dpkg -L galera-4 2>/dev/null || true)
	while IFS= read -r f; do
		if [[ $f == */libgalera_smm.so && -f $f ]]; then echo "$f"; return; fi
	done <<<"$listing"
	for f in /usr/lib/galera/libgalera_smm.so /usr/lib/galera-4/libgalera_smm.so \
		/usr/lib64/galera-4/libgalera_smm.so /usr/lib64/galera/libgalera_smm.so \
		/usr/lib/libgalera_smm.so; do
		[[ -f $f ]] && { echo "$f"; return; }
	done
	die "libgalera_smm.so not found: install galera-4 or set GALERA_PROVIDER"
}

init_tools() {
	MARIADBD=${MARIADBD:-$(find_bin mariadbd mysqld)} || die "mariadbd not found"
	INSTALL_DB=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
	CLIENT=$(find_bin mariadb mysql) || die "mariadb client not found"
	ADMIN=$(find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found"
	PROVIDER=$(find_provider)
	command -v rsync >/dev/null 2>&1 || die "rsync not found (needed for SST)"
	# As root, the nodes run as an unprivileged user (mariadbd drops to it).
	# They cannot run as root: wsrep_sst_rsync starts an rsync daemon on the
	# joiner, and an rsync daemon started by root switches to user "nobody",
	# which may not write the datadir, so every SST would fail ("mkdir ...
	# Permission denied", rsync code 23).
	RUN_USER=""
	if ((EUID == 0)); then
		RUN_USER=${GALERA_USER:-mysql}
		[[ $RUN_USER != root ]] || die "GALERA_USER=root breaks rsync SST; use an unprivileged user"
		id -u "$RUN_USER" >/dev/null 2>&1 ||
			die "user '$RUN_USER' does not exist (it runs mariadbd); create it or set GALERA_USER"
	fi
}

# own_node N: let RUN_USER write node N's directory (its datadir, socket, log).
own_node() {
	local i=$1
	mkdir -p "$(datadir "$i")" "$(tmpdir "$i")"
	touch "$(errlog "$i")"
	if [[ -n $RUN_USER ]]; then
		chown -R "$RUN_USER:" "$(ndir "$i")" ||
			die "cannot chown $(ndir "$i") to $RUN_USER"
		if command -v runuser >/dev/null 2>&1 &&
			! runuser -u "$RUN_USER" -- test -w "$(datadir "$i")"; then
			die "user $RUN_USER cannot reach $(datadir "$i") (a parent directory is closed to it); pick a DIR under /tmp"
		fi
	fi
}

set_dir() {
	DIR=${1:-${GALERA_DIR:-/tmp/invite-galera}}
	[[ $DIR == /* ]] || DIR=$PWD/$DIR
	DIR=${DIR%/}
	[[ -n $DIR ]] || die "refusing to use / as the cluster directory"
	# Unix socket paths (DIR/nodeN/mysqld.sock) are limited to 107 bytes.
	((${#DIR} <= 85)) || die "DIR is too long for a unix socket path: $DIR"
}

ndir() { echo "$DIR/node$1"; }
datadir() { echo "$DIR/node$1/data"; }
# tmpdir: each node's own. mariadbd deletes every "#sql*" file of its
# tmpdir when it starts: with /tmp shared, a node started again deleted the
# temporary tables of the others' running queries (seen as "Error on
# delete of '/tmp/#sql-temptable-...MAI'" and once a crash in their
# cleanup, while TestGalera/KillANodeUnderLoad restarted node 3).
tmpdir() { echo "$DIR/node$1/tmp"; }
sock() { echo "$DIR/node$1/mysqld.sock"; }
pidfile() { echo "$DIR/node$1/mysqld.pid"; } # written by mariadbd
ourpid() { echo "$DIR/node$1/node.pid"; }    # written by this script
errlog() { echo "$DIR/node$1/error.log"; }
cnf() { echo "$DIR/node$1/my.cnf"; }
sqlport() { echo "${SQL_PORTS[$1 - 1]}"; }
gport() { echo "${GCOMM_PORTS[$1 - 1]}"; }

urls() {
	local i out=()
	for i in 1 2 3; do out+=("mysql://root:@127.0.0.1:$(sqlport "$i")/test"); done
	(IFS=,; echo "${out[*]}")
}

write_cnf() {
	local i=$1 g ist sst user_line=""
	mkdir -p "$(ndir "$i")"
	g=$(gport "$i"); ist=$((g + 1)); sst=$((g + 2))
	[[ -n $RUN_USER ]] && user_line="user                          = $RUN_USER"
	cat >"$(cnf "$i")" <<EOF
# Generated by $PROG; rewritten on every start of this node.
[mysqld]
$user_line
datadir                       = $(datadir "$i")
tmpdir                        = $(tmpdir "$i")
socket                        = $(sock "$i")
pid-file                      = $(pidfile "$i")
log-error                     = $(errlog "$i")
port                          = $(sqlport "$i")
bind-address                  = 127.0.0.1
skip-name-resolve
character-set-server          = utf8mb4
collation-server              = utf8mb4_bin
default-storage-engine        = InnoDB
binlog-format                 = ROW
innodb-autoinc-lock-mode      = 2
innodb-buffer-pool-size       = 64M
innodb-log-file-size          = 32M
innodb-flush-log-at-trx-commit = 2
performance-schema            = OFF
key-buffer-size               = 8M
aria-pagecache-buffer-size    = 16M

wsrep-on                      = ON
wsrep-provider                = $PROVIDER
wsrep-cluster-name            = invite_galera
wsrep-cluster-address         = gcomm://127.0.0.1:$(gport 1),127.0.0.1:$(gport 2),127.0.0.1:$(gport 3)
wsrep-node-name               = node$i
wsrep-node-address            = 127.0.0.1:$g
wsrep-node-incoming-address   = 127.0.0.1:$(sqlport "$i")
wsrep-sst-method              = rsync
wsrep-sst-receive-address     = 127.0.0.1:$sst
wsrep-provider-options        = "gmcast.listen_addr=tcp://127.0.0.1:$g;ist.recv_addr=127.0.0.1:$ist;gcache.size=64M${GALERA_PROVIDER_OPTIONS:+;$GALERA_PROVIDER_OPTIONS}"
EOF
}

# ------------------------------------------------------------------ probes

# node_pid N: print the PID of node N if that process is alive and is the
# mariadbd we started with this node's my.cnf; otherwise fail.
node_pid() {
	local f pid cmdline
	for f in "$(ourpid "$1")" "$(pidfile "$1")"; do
		pid=""
		if [[ -s $f ]]; then read -r pid <"$f" 2>/dev/null || true; fi
		[[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || continue
		cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
		if [[ $cmdline == *"--defaults-file=$(cnf "$1")"* ]]; then
			echo "$pid"
			return 0
		fi
	done
	return 1
}

running() { node_pid "$1" >/dev/null; }

sql() { # sql N STATEMENT...: run over node N's socket, tab-separated output
	local i=$1; shift
	"$CLIENT" --no-defaults --protocol=socket --socket="$(sock "$i")" -uroot \
		--connect-timeout=5 -N -B -e "$*"
}

# wsrep_state N: prints "state size status", e.g. "Synced 3 Primary".
wsrep_state() {
	local out state="" size="" status="" name value
	out=$(sql "$1" "SHOW GLOBAL STATUS WHERE Variable_name IN
		('wsrep_local_state_comment','wsrep_cluster_size','wsrep_cluster_status')" \
		2>/dev/null) || return 1
	while IFS=$'\t' read -r name value; do
		case $name in
		wsrep_local_state_comment) state=$value ;;
		wsrep_cluster_size) size=$value ;;
		wsrep_cluster_status) status=$value ;;
		esac
	done <<<"$out"
	[[ -n $state ]] || return 1
	echo "$state ${size:-0} ${status:-?}"
}

synced() { # synced N SIZE: node N is Synced, Primary, with exactly SIZE nodes
	local s
	s=$(wsrep_state "$1") || return 1
	[[ $s == "Synced $2 Primary" ]]
}

port_busy() { # something accepts TCP connections on 127.0.0.1:$1
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_ports() { # check_ports N: node N's four ports must be free
	local i=$1 p
	for p in "$(sqlport "$i")" "$(gport "$i")" $(($(gport "$i") + 1)) $(($(gport "$i") + 2)); do
		if port_busy "$p"; then
			die "node$i: port 127.0.0.1:$p is already in use by another process (see GALERA_PORTS, GALERA_GCOMM_PORTS)"
		fi
	done
}

show_log() {
	local f
	f=$(errlog "$1")
	log "----- last lines of $f -----"
	if [[ -f $f ]]; then tail -n 40 "$f" >&2; else log "(no log)"; fi
	log "-----"
}

# wait_synced N SIZE: wait up to TIMEOUT s for node N to be Synced with SIZE.
wait_synced() {
	local i=$1 want=$2 deadline last="" s
	deadline=$((SECONDS + TIMEOUT))
	while ((SECONDS < deadline)); do
		if ! running "$i"; then
			show_log "$i"
			die "node$i (mariadbd) exited while waiting for it to sync"
		fi
		s=$(wsrep_state "$i" 2>/dev/null) || s="(not accepting connections yet)"
		if [[ $s != "$last" ]]; then log "node$i: $s"; last=$s; fi
		[[ $s == "Synced $want Primary" ]] && return 0
		sleep 1
	done
	show_log "$i"
	die "node$i not Synced with cluster size $want after ${TIMEOUT}s (last: $last)"
}

# ----------------------------------------------------------- start / stop

init_datadir() { # only node 1 needs system tables; joiners get them by SST
	local i=$1
	[[ -d $(datadir "$i")/mysql ]] && return 0
	log "node$i: initialising $(datadir "$i")"
	rm -rf "$(datadir "$i")"
	write_cnf "$i"
	own_node "$i"
	# --datadir repeated on purpose: should the defaults file be unreadable,
	# mariadb-install-db would otherwise fall back to /etc/mysql's datadir.
	if ! "$INSTALL_DB" --defaults-file="$(cnf "$i")" --datadir="$(datadir "$i")" \
		--auth-root-authentication-method=normal --skip-test-db --wsrep-on=OFF \
		>>"$(errlog "$i")" 2>&1; then
		show_log "$i"
		die "mariadb-install-db failed for node$i"
	fi
}

# launch N [--wsrep-new-cluster]: start node N's mariadbd in the background.
launch() {
	local i=$1 pid
	shift
	write_cnf "$i"
	own_node "$i"
	check_ports "$i"
	rm -f "$(sock "$i")" "$(sock "$i").lock"
	log "node$i: starting mariadbd on 127.0.0.1:$(sqlport "$i") (gcomm $(gport "$i")) $*"
	# setsid: a Ctrl-C in the caller's terminal must not reach the server.
	# 9>&-: do not let the server inherit the lock on DIR/.lock.
	local -a argv=("$MARIADBD" "--defaults-file=$(cnf "$i")" "$@")
	if command -v setsid >/dev/null 2>&1; then argv=(setsid "${argv[@]}"); fi
	"${argv[@]}" </dev/null >>"$(ndir "$i")/stdout.log" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$(ourpid "$i")"
	# Catch an immediate failure (bad option, port race) without waiting long.
	sleep 0.5
	if ! running "$i"; then
		show_log "$i"
		die "node$i: mariadbd exited at once"
	fi
}

bootstrap_node1() {
	local g
	init_datadir 1
	g=$(datadir 1)/grastate.dat
	if [[ -f $g ]] && grep -q '^safe_to_bootstrap: *0' "$g"; then
		log "node1: setting safe_to_bootstrap: 1 in $g"
		sed -i 's/^safe_to_bootstrap: *0/safe_to_bootstrap: 1/' "$g"
	fi
	launch 1 --wsrep-new-cluster
	wait_synced 1 1
}

forget_state() { # make node N take a full SST from the bootstrapped node
	local i=$1 d
	d=$(datadir "$i")
	if [[ -f $d/grastate.dat || -f $d/gvwstate.dat ]]; then
		log "node$i: dropping stale grastate.dat/gvwstate.dat (full SST from node1)"
		rm -f "$d/grastate.dat" "$d/gvwstate.dat"
	fi
}

stop_node() {
	local i=$1 pid deadline
	if ! pid=$(node_pid "$i"); then
		rm -f "$(ourpid "$i")" "$(pidfile "$i")"
		return 0
	fi
	log "node$i: shutting down (pid $pid)"
	if ! "$ADMIN" --no-defaults --protocol=socket --socket="$(sock "$i")" -uroot \
		--connect-timeout=5 --shutdown-timeout="$STOP_TIMEOUT" shutdown >/dev/null 2>&1; then
		log "node$i: mariadb-admin shutdown failed; sending SIGTERM to pid $pid"
		kill -TERM "$pid" 2>/dev/null || true
	fi
	deadline=$((SECONDS + STOP_TIMEOUT))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
	if kill -0 "$pid" 2>/dev/null; then
		log "node$i: still alive after ${STOP_TIMEOUT}s; SIGKILL pid $pid"
		kill -KILL "$pid" 2>/dev/null || true
		deadline=$((SECONDS + 10))
		while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
	fi
	rm -f "$(ourpid "$i")" "$(pidfile "$i")"
}

ensure_schema() { # on node N: database test, root reachable over TCP
	local i=$1
	sql "$i" "CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
		CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
		GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
		GRANT ALL PRIVILEGES ON *.* TO 'root'@'localhost' WITH GRANT OPTION;" ||
		die "node$i: could not create database test / root@127.0.0.1"
}

check_tcp() { # the URL's credentials work on every node
	local i
	for i in 1 2 3; do
		"$CLIENT" --no-defaults --protocol=tcp -h127.0.0.1 -P"$(sqlport "$i")" -uroot \
			--connect-timeout=5 -N -B -e 'SELECT 1' test >/dev/null 2>&1 ||
			die "node$i: root@127.0.0.1 cannot use database test over TCP port $(sqlport "$i")"
	done
}

n_running() {
	local i n=0
	for i in 1 2 3; do if running "$i"; then n=$((n + 1)); fi; done
	echo "$n"
}

# primary_node: print a running node that is Synced in a Primary component
# whose size equals the number of running nodes (so that a node killed a
# moment ago has already been evicted), or nothing.
primary_node() {
	local i n
	n=$(n_running)
	for i in 1 2 3; do
		if running "$i" && synced "$i" "$n"; then echo "$i"; return 0; fi
	done
	return 0
}

# await_primary: wait for primary_node and print it. If meanwhile every running
# node answers but none is in a Primary component (quorum lost, e.g. two of
# three nodes were killed), bootstrap the component again on the running node
# with the highest wsrep_last_committed (pc.bootstrap=YES, Galera's documented
# recovery), then keep waiting.
await_primary() {
	local deadline grace i s seq best best_seq lost
	deadline=$((SECONDS + TIMEOUT))
	grace=$((SECONDS + 10)) # let a view change after a kill settle first
	while ((SECONDS < deadline)); do
		i=$(primary_node)
		if [[ -n $i ]]; then echo "$i"; return 0; fi
		if ((SECONDS >= grace)); then
			lost=1 best="" best_seq=-2
			for i in 1 2 3; do
				running "$i" || continue
				s=$(wsrep_state "$i" 2>/dev/null) || { lost=0; break; }
				[[ $s == *" non-Primary" || $s == *" Disconnected" ]] || { lost=0; break; }
				seq=$(sql "$i" "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'" 2>/dev/null | cut -f2)
				[[ $seq =~ ^-?[0-9]+$ ]] || seq=-1
				if ((seq > best_seq)); then best=$i best_seq=$seq; fi
			done
			if ((lost)) && [[ -n $best ]]; then
				log "quorum lost: re-bootstrapping the Primary component on node$best (seqno $best_seq)"
				sql "$best" "SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'" ||
					log "node$best: pc.bootstrap=YES failed"
				grace=$((SECONDS + 10))
			fi
		fi
		sleep 1
	done
	return 1
}

all_synced() {
	local i
	for i in 1 2 3; do synced "$i" 3 || return 1; done
}

# -------------------------------------------------------------- commands

lock_dir() {
	[[ -d $DIR ]] || die "$DIR does not exist"
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$DIR/.lock"
		flock -w "$TIMEOUT" 9 || die "another $PROG holds $DIR/.lock"
	fi
}

cmd_up() {
	local i alive=() dead=() anchor="" t0=$SECONDS
	if [[ -d $DIR && ! -f $DIR/.galera-sh && -n $(ls -A "$DIR") ]]; then
		die "$DIR is not empty and was not made by $PROG; refusing to use it"
	fi
	mkdir -p "$DIR"
	: >"$DIR/.galera-sh" # marks DIR as ours (checked here and by `clean`)
	lock_dir
	for i in 1 2 3; do mkdir -p "$(ndir "$i")"; done

	if all_synced; then
		log "cluster in $DIR is already up and Synced (size 3)"
		ensure_schema 1
		urls
		return 0
	fi

	for i in 1 2 3; do
		if running "$i"; then alive+=("$i"); else dead+=("$i"); fi
	done
	for i in "${dead[@]}"; do check_ports "$i"; done # fail before any work

	if ((${#alive[@]} == 0)); then
		log "bootstrapping a new cluster in $DIR (provider $PROVIDER)"
		forget_state 2
		forget_state 3
		bootstrap_node1
		ensure_schema 1
		launch 2
		wait_synced 2 2
		launch 3
		wait_synced 3 3
	else
		# Some nodes run: (re)start the missing ones as joiners, once one of
		# the running nodes is Synced in a Primary component.
		anchor=$(await_primary) || {
			show_log "${alive[0]}"
			die "running nodes ${alive[*]} did not reach Synced/Primary; try '$PROG down' then '$PROG up'"
		}
		log "nodes ${alive[*]} running (node$anchor Synced); starting ${dead[*]:-nothing}"
		for i in "${dead[@]}"; do
			launch "$i"
			wait_synced "$i" $((${#alive[@]} + 1))
			alive+=("$i")
		done
		ensure_schema "$anchor"
	fi

	for i in 1 2 3; do wait_synced "$i" 3; done
	check_tcp
	log "cluster up in $((SECONDS - t0))s"
	urls
}

cmd_down() {
	local i
	if [[ ! -d $DIR ]]; then
		log "$DIR does not exist; nothing to stop"
		return 0
	fi
	lock_dir
	# Node 1 last: it then holds safe_to_bootstrap: 1 for the next `up`.
	for i in 3 2 1; do stop_node "$i"; done
	log "cluster in $DIR is down"
}

cmd_status() {
	local i pid s st sz cs ok=0
	for i in 1 2 3; do
		if pid=$(node_pid "$i"); then
			s=$(wsrep_state "$i" 2>/dev/null) || s="not-answering"
			read -r st sz cs <<<"$s"
			printf 'node%s 127.0.0.1:%s pid=%s state=%s cluster_size=%s status=%s\n' \
				"$i" "$(sqlport "$i")" "$pid" "$st" "${sz:--}" "${cs:--}"
			[[ $s == "Synced 3 Primary" ]] || ok=1
		else
			printf 'node%s 127.0.0.1:%s down\n' "$i" "$(sqlport "$i")"
			ok=1
		fi
	done
	return "$ok"
}

node_arg() {
	[[ ${1:-} =~ ^[123]$ ]] || die "node number must be 1, 2 or 3 (got '${1:-}')"
}

cmd_kill() {
	local i=$1 pid deadline
	if ! pid=$(node_pid "$i"); then
		log "node$i is not running"
		return 0
	fi
	log "node$i: SIGKILL pid $pid"
	kill -KILL "$pid"
	deadline=$((SECONDS + 10))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && die "node$i (pid $pid) survived SIGKILL"
	rm -f "$(ourpid "$i")" "$(pidfile "$i")"
}

cmd_start() {
	local i=$1
	lock_dir
	if running "$i"; then
		log "node$i is already running"
	else
		(($(n_running) > 0)) || die "no node is running; use '$PROG up' to bootstrap"
		await_primary >/dev/null ||
			die "no running node is Synced in a Primary component; try '$PROG up'"
		launch "$i"
	fi
	wait_synced "$i" "$(n_running)"
}

cmd_clean() {
	if [[ ! -e $DIR ]]; then
		log "$DIR does not exist"
		return 0
	fi
	[[ -f $DIR/.galera-sh ]] || die "$DIR was not made by $PROG; not deleting it"
	cmd_down
	rm -rf "$DIR"
	log "removed $DIR"
}

main() {
	local cmd=${1:-}
	[[ -n $cmd ]] || usage
	shift
	case $cmd in
	up | down | status | urls | clean)
		(($# <= 1)) || usage
		set_dir "${1:-}"
		;;
	kill | start)
		(($# >= 1 && $# <= 2)) || usage
		node_arg "$1"
		set_dir "${2:-}"
		;;
	-h | --help | help) usage 2>&1 | cat; exit 0 ;;
	*) usage ;;
	esac
	case $cmd in
	urls) urls; return ;;
	esac
	init_tools
	case $cmd in
	up) cmd_up ;;
	down) cmd_down ;;
	status) cmd_status ;;
	kill) cmd_kill "$1" ;;
	start) cmd_start "$1" ;;
	clean) cmd_clean ;;
	esac
}

main "$@"
