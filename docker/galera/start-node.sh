#!/bin/sh
# Entrypoint of a Galera node in docker/docker-compose.galera.yml, in front of the image's own (docker-entrypoint.sh):
# the node bootstraps a new cluster (--wsrep-new-cluster) only when it must, and otherwise joins the others.
#   - GALERA_FIRST=yes and an empty data directory: the first start of the deployment; this node makes the cluster.
#   - grastate.dat says safe_to_bootstrap: 1: the whole cluster was stopped in order and this node stopped last
#     (it has every transaction); it makes the cluster again and the others join it (IST).
# Any other node joins; while no node of a primary component answers, it exits and compose starts it again.
# After a crash of all nodes no node is safe to bootstrap: see docs/deployment.md, "What each database failure does
# to a sale", for the manual step.
# GALERA_CLUSTER and GALERA_NODES (host,host,host) name the cluster and its nodes; the state transfer (mariabackup)
# logs in as root: its password goes into a config file only mariadbd's user reads, not onto a command line.
set -e
datadir=/var/lib/mysql
: "${GALERA_CLUSTER:?set GALERA_CLUSTER}" "${GALERA_NODES:?set GALERA_NODES}" "${MARIADB_ROOT_PASSWORD:?}"
cnf=/etc/mysql/mariadb.conf.d/90-galera.cnf
mkdir -p "$(dirname "$cnf")"
umask 027
cat >"$cnf" <<CNF
[mariadbd]
wsrep_cluster_name=$GALERA_CLUSTER
wsrep_cluster_address=gcomm://$GALERA_NODES
wsrep_node_name=$(hostname)
wsrep_sst_method=mariabackup
wsrep_sst_auth=root:$MARIADB_ROOT_PASSWORD
CNF
chown root:mysql "$cnf"
if [ "${GALERA_FIRST:-no}" = yes ] && [ ! -d "$datadir/mysql" ]; then
  echo "start-node.sh: empty data directory on the first node: bootstrapping a new cluster"
  set -- "$@" --wsrep-new-cluster
elif [ -f "$datadir/grastate.dat" ] && grep -q '^safe_to_bootstrap: *1' "$datadir/grastate.dat"; then
  echo "start-node.sh: this node stopped last (safe_to_bootstrap: 1): bootstrapping the cluster again"
  set -- "$@" --wsrep-new-cluster
fi
exec docker-entrypoint.sh "$@"
