package io.seckill.command.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.seckill.command.lease.Placement;
import io.seckill.shared.config.ClusterConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Who is alive and serving in the command cluster, and so who should hold what ({@link Placement} by
 * {@link Rendezvous} hashing over the members ready). Hazelcast's membership says who is alive (a member killed is
 * gone when its connection closes or after 5 s without heartbeats); a heartbeat each member publishes on the event
 * bus every {@code heartbeatMillis} once it serves says who is ready to claim (a member whose heartbeats stop for 3
 * periods, or whose event bus is cut off, is not handed anything). This class only says who should try: the leases
 * in WriteDB say who holds, and the fence refuses a stale holder. Not Vert.x's {@code nodeListener} (its HA manager
 * holds that one slot): Hazelcast's own membership listener. Its state lives on the command verticle's context.
 */
public final class Membership implements Placement {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  static final String HEARTBEAT = "seckill.command.heartbeat";

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final String self;
  private final ClusterConfig config;
  /** Node ids of Hazelcast's members, written on Hazelcast's threads. */
  private volatile Set<String> alive;
  private final Map<String, Long> heardAt = new HashMap<>();
  private List<String> ready;
  private MessageConsumer<JsonObject> consumer;
  private UUID listenerId;
  private long timer = -1;

  /** Create on the command verticle's context. */
  public Membership(Vertx vertx, HazelcastInstance hazelcast, String self, ClusterConfig config) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hazelcast = hazelcast;
    this.self = self;
    this.config = config;
    this.alive = Set.of(self);
    this.ready = List.of(self);
  }

  /** Listens to membership and heartbeats; this member's own heartbeats start with {@link #serving()}. */
  public Future<Void> start() {
    listenerId = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        changed("joined", event.getMember());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        changed("left", event.getMember());
      }
    });
    alive = aliveNow();
    consumer = vertx.eventBus().consumer(HEARTBEAT, message -> {
      String node = message.body().getString("node");
      if (node != null && heardAt.put(node, System.nanoTime()) == null) {
        recompute();
      }
    });
    return consumer.completion();
  }

  /** This member now claims and serves: it says so every heartbeat period. */
  public void serving() {
    JsonObject beat = new JsonObject().put("node", self);
    timer = vertx.setPeriodic(config.heartbeatMillis(), t -> {
      vertx.eventBus().publish(HEARTBEAT, beat);
      recompute();
    });
    vertx.eventBus().publish(HEARTBEAT, beat);
  }

  private void changed(String what, Member member) {
    alive = aliveNow();
    LOG.info("cluster member {} {} ({}): alive {}", member.getAttribute(HazelcastSetup.NODE_ATTRIBUTE), what,
        member.getAddress(), alive);
    context.runOnContext(v -> recompute());
  }

  private Set<String> aliveNow() {
    Set<String> nodes = new TreeSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      String node = member.getAttribute(HazelcastSetup.NODE_ATTRIBUTE);
      if (node != null) {
        nodes.add(node);
      }
    }
    nodes.add(self);
    return nodes;
  }

  private void recompute() {
    long now = System.nanoTime();
    long silence = 3 * config.heartbeatMillis() * 1_000_000;
    Set<String> alive = this.alive;
    heardAt.entrySet().removeIf(heard -> !alive.contains(heard.getKey()) || now - heard.getValue() >= silence);
    TreeSet<String> serving = new TreeSet<>(heardAt.keySet());
    serving.add(self);
    List<String> next = List.copyOf(serving);
    if (!next.equals(ready)) {
      LOG.info("members serving: {} (were {})", next, ready);
      ready = next;
    }
  }

  /** The members that should share the partitions now. */
  public List<String> ready() {
    return ready;
  }

  @Override
  public boolean wants(int partition) {
    return self.equals(Rendezvous.owner(partition, ready));
  }

  @Override
  public boolean handsOver(int partition) {
    return !wants(partition);
  }

  @Override
  public boolean adoptsOrphans() {
    return true;
  }

  @Override
  public boolean serving(String node) {
    return ready.contains(node);
  }

  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (listenerId != null) {
      try {
        hazelcast.getCluster().removeMembershipListener(listenerId);
      } catch (RuntimeException e) {
        LOG.debug("membership listener not removed: {}", e.getMessage());
      }
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
