package io.seckill.shared.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A real three-node MariaDB Galera cluster on loopback (SPEC §10): Debian's {@code mariadbd} with {@code galera-4},
 * each node with its own client port, data directory, and gcomm, IST and SST addresses (node i on 127.0.0.{10+i}), run
 * as user {@code mysql} (rsync SST refuses to
 * run as root). The first node is bootstrapped ({@code --wsrep-new-cluster}); the others join it by SST. Access
 * control off (as {@link CrashableMariaDb}), client connections on 127.0.0.1 only. A test kills, stops, restarts and
 * cuts off nodes; every wait is bounded.
 */
public final class GaleraCluster implements AutoCloseable {
  public static final int NODES = 3;
  /** How long a whole cluster's configuration must stay the same to count as settled: above evs.inactive_timeout. */
  private static final Duration SETTLED = Duration.ofSeconds(5);
  private static final String MARIADBD = "/usr/sbin/mariadbd";
  private static final String PROVIDER = "/usr/lib/galera/libgalera_smm.so";

  private final Path root;
  private final int[] ports = new int[NODES];
  private final int[] gcomm = new int[NODES];
  private final Process[] processes = new Process[NODES];

  private GaleraCluster(Path root) {
    this.root = root;
    for (int i = 0; i < NODES; i++) {
      ports[i] = TestInfra.freePort();
      gcomm[i] = TestInfra.freePort();
    }
  }

  /** Whether this machine has what a cluster needs (Debian's mariadb-server, galera-4, rsync). */
  public static boolean installed() {
    return new File(MARIADBD).canExecute() && new File(PROVIDER).canRead()
        && new File("/usr/bin/rsync").canExecute() && new File("/usr/bin/mariadb-install-db").canExecute();
  }

  /** Starts the three nodes (blocking, about 15-30 s) with {@code databases} made on them. */
  public static GaleraCluster start(List<String> databases) {
    if (!installed()) {
      throw new IllegalStateException("a Galera cluster needs Debian's mariadb-server, galera-4 and rsync:"
          + " apt-get install -y mariadb-server galera-4 rsync (.ci/run does)");
    }
    try {
      // not under the build directory: the nodes run as mysql, who must reach their data directories
      Path root = Files.createTempDirectory("seckill-galera-", PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwxr-xr-x")));
      GaleraCluster cluster = new GaleraCluster(root);
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
      for (int i = 0; i < NODES; i++) {
        Files.createDirectories(cluster.data(i));
      }
      run(List.of("chown", "-R", "mysql:mysql", root.toString()));
      run(List.of("mariadb-install-db", "--user=mysql", "--datadir=" + cluster.data(0), "--skip-test-db",
          "--auth-root-authentication-method=normal"));
      cluster.startNode(0, true);
      cluster.waitSynced(0, Duration.ofSeconds(60));
      for (String database : databases) {
        cluster.sql(0, "CREATE DATABASE IF NOT EXISTS `" + database + "`");
      }
      cluster.startNode(1, false);
      cluster.startNode(2, false);
      cluster.waitSynced(1, Duration.ofSeconds(120));
      cluster.waitSynced(2, Duration.ofSeconds(120));
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Node {@code i}'s client port on 127.0.0.1. */
  public int port(int i) {
    return ports[i];
  }

  /** {@code 127.0.0.1:p1,127.0.0.1:p2,...}: the nodes in {@code order}, as SECKILL_*_DB_HOST takes them. */
  public String hosts(int... order) {
    int[] nodes = order.length == 0 ? IntStream.range(0, NODES).toArray() : order;
    return IntStream.of(nodes).mapToObj(i -> "127.0.0.1:" + ports[i]).collect(Collectors.joining(","));
  }

  /** The address node {@code i}'s group communication, IST and SST use (its own). */
  public String address(int i) {
    return "127.0.0." + (11 + i);
  }

  private Path data(int i) {
    return root.resolve("n" + (i + 1));
  }

  /** Starts node {@code i} ({@code bootstrap}: as a new cluster of its own) without waiting. */
  public synchronized void startNode(int i, boolean bootstrap) {
    if (processes[i] != null && processes[i].isAlive()) {
      return;
    }
    String peers = IntStream.range(0, NODES).mapToObj(n -> address(n) + ":" + gcomm[n])
        .collect(Collectors.joining(","));
    List<String> command = new ArrayList<>(List.of(MARIADBD, "--no-defaults", "--user=mysql",
        "--datadir=" + data(i), "--socket=" + data(i).resolve("mariadb.sock"), "--pid-file=" + data(i).resolve("pid"),
        "--port=" + ports[i], "--bind-address=127.0.0.1", "--skip-grant-tables", "--skip-ssl",
        "--character-set-server=utf8mb4", "--max-connections=500", "--max-allowed-packet=64M",
        "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=48M", "--innodb-flush-log-at-trx-commit=2",
        "--binlog-format=ROW", "--default-storage-engine=InnoDB", "--innodb-autoinc-lock-mode=2",
        "--wsrep-on=ON", "--wsrep-provider=" + PROVIDER, "--wsrep-cluster-name=seckill-test",
        "--wsrep-cluster-address=gcomm://" + peers, "--wsrep-node-name=n" + (i + 1),
        "--wsrep-node-address=" + address(i) + ":" + gcomm[i],
        "--wsrep-provider-options=gmcast.listen_addr=tcp://" + address(i) + ":" + gcomm[i]
            + ";ist.recv_addr=" + address(i) + ":" + (gcomm[i] + 1) + ";gcache.size=256M"
            + ";evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S"
            + ";evs.install_timeout=PT3S;evs.inactive_check_period=PT0.5S",
        "--wsrep-sst-method=rsync", "--wsrep-sst-receive-address=" + address(i) + ":" + (gcomm[i] + 2)));
    if (bootstrap) {
      command.add("--wsrep-new-cluster");
    }
    try {
      File log = data(i).resolveSibling("n" + (i + 1) + ".log").toFile();
      processes[i] = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code kill -9} of node {@code i}; returns once it is gone. */
  public synchronized void kill(int i) {
    end(i, true);
  }

  /** An orderly shutdown of node {@code i} (SIGTERM); returns once it has exited. */
  public synchronized void stop(int i) {
    end(i, false);
  }

  private void end(int i, boolean force) {
    Process process = processes[i];
    if (process == null) {
      return;
    }
    if (force) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    processes[i] = null;
  }

  /**
   * After every node was stopped: the node to start the cluster again from is the one its {@code grastate.dat} marks
   * safe to bootstrap (the last to leave), or else, as docs/deployment.md's manual step says, the one with the highest seqno,
   * marked safe by hand; it starts as the new cluster, then the others join it (IST). Blocking; the node chosen.
   */
  public int restartAll() {
    int chosen = -1;
    long best = Long.MIN_VALUE;
    for (int i = 0; i < NODES; i++) {
      String state = grastate(i);
      if (state.contains("safe_to_bootstrap: 1")) {
        chosen = i;
        break;
      }
      long seqno = Long.parseLong(state.replaceAll("(?s).*seqno:\\s*(-?\\d+).*", "$1"));
      if (seqno > best) {
        best = seqno;
        chosen = i;
      }
    }
    Path file = data(chosen).resolve("grastate.dat");
    try {
      Files.writeString(file, grastate(chosen).replace("safe_to_bootstrap: 0", "safe_to_bootstrap: 1"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    startNode(chosen, true);
    waitSynced(chosen, Duration.ofSeconds(120));
    for (int i = 0; i < NODES; i++) {
      if (i != chosen) {
        startNode(i, false);
      }
    }
    waitWhole(Duration.ofSeconds(120));
    return chosen;
  }

  private String grastate(int i) {
    try {
      return Files.readString(data(i).resolve("grastate.dat"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Cuts node {@code i}'s group communication off from the other two, both ways, or mends it: Galera's own
   * {@code gmcast.isolate}, which drops all the node's group traffic. (iptables on loopback cannot cut a node
   * symmetrically: its outgoing connections leave from 127.0.0.1, not from its own address, so a cut by address was
   * one-way, and the other two nodes lost their primary component too.)
   */
  public void cut(int i, boolean off) {
    sql(i, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=" + (off ? 1 : 0) + "'");
  }

  /** Waits until node {@code i} is synced with a primary component (blocking, bounded). */
  public void waitSynced(int i, Duration bound) {
    await(bound, "Galera node " + (i + 1) + " not synced", () -> {
      alive(i);
      return "4".equals(status(i, "wsrep_local_state"));
    });
  }

  /**
   * Waits until the cluster is whole again and settled (blocking, bounded): every node synced, ready, in a primary
   * component of all three, all in the same configuration, and that unchanged for {@link #SETTLED} (longer than the
   * group's inactive timeout). Right after a cut is mended, the cut node and the others may each still report the
   * old configuration of three while the group is about to evict the node and take it back: a fault on another node
   * then leaves no component with a majority, and every node refuses writes until the first one heals.
   */
  public void waitWhole(Duration bound) {
    String[] configuration = {null};
    long[] since = {0};
    await(bound, "the Galera cluster not whole again", () -> {
      String now = wholeConfiguration();
      if (now == null || !now.equals(configuration[0])) {
        configuration[0] = now;
        since[0] = System.nanoTime();
        return false;
      }
      return System.nanoTime() - since[0] >= SETTLED.toNanos();
    });
  }

  /**
   * The configuration id all three nodes report while each is synced, ready and in a component of three; else null.
   * One status query per node.
   */
  private String wholeConfiguration() {
    String shared = null;
    for (int i = 0; i < NODES; i++) {
      alive(i);
      Map<String, String> status = statuses(i, "wsrep_local_state", "wsrep_ready", "wsrep_cluster_size",
          "wsrep_cluster_conf_id");
      String id = status.get("wsrep_cluster_conf_id");
      if (!"4".equals(status.get("wsrep_local_state")) || !"ON".equals(status.get("wsrep_ready"))
          || !String.valueOf(NODES).equals(status.get("wsrep_cluster_size")) || id == null
          || (shared != null && !shared.equals(id))) {
        return null;
      }
      shared = id;
    }
    return shared;
  }

  private void alive(int i) {
    Process process = processes[i];
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("Galera node " + (i + 1) + " is not running (see " + root + "/n" + (i + 1)
          + ".log)");
    }
  }

  /** Polls {@code condition} every 100 ms until it holds (blocking: from the test thread, never an event loop). */
  private void await(Duration bound, String failure, BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(failure + " within " + bound + " (see " + root + "/n*.log)");
      }
      pause(100);
    }
  }

  /** A status variable of node {@code i}, or null when it does not answer. */
  public String status(int i, String variable) {
    return statuses(i, variable).get(variable);
  }

  /** Status variables of node {@code i} by name, in one query; empty when it does not answer. */
  private Map<String, String> statuses(int i, String... variables) {
    String names = Arrays.stream(variables).map(v -> "'" + v + "'").collect(Collectors.joining(", "));
    Map<String, String> status = new HashMap<>();
    try {
      for (String line : sql(i, "SHOW GLOBAL STATUS WHERE Variable_name IN (" + names + ")").split("\n")) {
        String[] parts = line.trim().split("\t");
        if (parts.length == 2) {
          status.put(parts[0].toLowerCase(), parts[1]);
        }
      }
    } catch (IllegalStateException e) {
      // not answering: nothing known
    }
    return status;
  }

  /** Runs SQL on node {@code i} through its socket (blocking, bounded): what it printed, tab-separated. */
  public String sql(int i, String sql) {
    return run(List.of("mariadb", "--no-defaults", "-uroot", "-S", data(i).resolve("mariadb.sock").toString(), "-N",
        "-B", "--connect-timeout=2", "-e", sql));
  }

  private static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command.get(0) + " did not finish within 120 s");
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out.trim());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // polls a server from the test thread, not an event loop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    for (int i = 0; i < NODES; i++) {
      end(i, true);
    }
    try {
      // the data go; the nodes' logs (n1.log, ...) stay, for a failure's report
      run(List.of("rm", "-rf", data(0).toString(), data(1).toString(), data(2).toString()));
    } catch (RuntimeException ignored) {
      // the data directories are left behind
    }
  }
}
