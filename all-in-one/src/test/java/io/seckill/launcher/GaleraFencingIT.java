package io.seckill.launcher;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.GaleraCluster;
import io.seckill.shared.testing.TestInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;
import java.util.Map;

/**
 * {@link FencingIT} on a real three-node Galera WriteDB, the two command processes writing through two different
 * nodes: the holder through node 1, the successor through node 2 (each with the others after, for failover). The
 * paused holder wakes up fenced and commits nothing, through its own node. (The race where the holder's node has not
 * yet applied the successor's claim: {@code GaleraFenceIT}.)
 */
class GaleraFencingIT extends FencingIT {
  private static GaleraCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = GaleraCluster.start(List.of("w_fencing", "r_fencing"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  SecKillConfig config() {
    return TestInfra.freshConfig().withDatabases(
        new DbConfig(cluster.hosts(0, 1, 2), 3306, "w_fencing", "root", "", 4),
        new DbConfig(cluster.hosts(2, 0, 1), 3306, "r_fencing", "root", "", 4));
  }

  @Override
  Map<String, String> member(int which) {
    return Map.of("SECKILL_WRITE_DB_HOST", which == 0 ? cluster.hosts(0, 1, 2) : cluster.hosts(1, 2, 0));
  }
}
