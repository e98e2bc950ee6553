package io.seckill.command;

import io.seckill.command.domain.CustomerSet;
import io.seckill.command.store.CustomerChunkCodec;
import io.seckill.command.store.EventStore;
import io.seckill.command.store.WriterConnection;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import io.vertx.sqlclient.RowSet;

/**
 * Snapshot chunks of served customers, on the real command verticle and MariaDB: saved as grabs commit, used by a
 * restart, and a broken chunk costs only speed: the restart reads those grabs from the events and saves it again.
 */
@ExtendWith(VertxExtension.class)
class SnapshotRestartTest {
  private static final int CHUNK = 3;

  @Test
  void aRestartUsesTheChunksAndSurvivesABrokenOne(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig own = TestInfra.freshConfig().withSnapshotGrabs(CHUNK);
    Pool db = Databases.pool(vertx, own.writeDb(), "snapshot-test");
    WebClient client = Async.client(vertx, 16);
    EventStore store = new EventStore(db, new WriterConnection(vertx, own.writeDb()), false);
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    List<String> answers = new ArrayList<>();
    vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC()))
        .compose(first -> CommandVerticleTest.insertPromotion(db, id, 10, now.minusSeconds(1), now.plusSeconds(3600))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> grab(client, own, id, "c0").map(r -> r.statusCode() == 200 || r.statusCode() == 429)))
            .compose(v -> grabInTurn(client, own, id, 1, 8, answers)) // c0..c7: sequences 2..9
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> chunks(db, id).map(c -> c.size() == 2)))
            .compose(v -> store.loadPromotion(id))
            .compose(loaded -> {
              ctx.verify(() -> {
                assertThat(answers).containsOnly("200");
                assertThat(loaded.unchunkedFrom()).isEqualTo(8); // chunks of sequences 2-4 and 5-7
                assertThat(loaded.unchunked()).containsExactly("c6", "c7");
                assertHolds(loaded.customers(), customers(0, 8));
              });
              // the second chunk claims a customer it does not hold
              return db.preparedQuery("UPDATE customer_chunks SET grabs = 4 WHERE promotion_id = ? AND first_sequence = 5")
                  .execute(Tuple.of(id.toString()));
            })
            .compose(v -> store.loadPromotion(id))
            .compose(loaded -> {
              ctx.verify(() -> {
                assertThat(loaded.unchunkedFrom()).isEqualTo(5);
                assertThat(loaded.unchunked()).containsExactly("c3", "c4", "c5", "c6", "c7");
                assertHolds(loaded.customers(), customers(0, 8));
              });
              return vertx.undeploy(first);
            }))
        .compose(v -> vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())))
        .compose(second -> {
          answers.clear();
          return grabInTurn(client, own, id, 0, 11, answers)
              .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                  () -> chunks(db, id).map(c -> c.equals(Map.of(2L, 3, 5L, 3, 8L, 3)))))
              .compose(v -> store.loadPromotion(id))
              .compose(loaded -> {
                ctx.verify(() -> {
                  List<String> expected = new ArrayList<>();
                  IntStream.range(0, 8).forEach(i -> expected.add("429 duplicate_order"));
                  expected.addAll(List.of("200", "200", "429 out_of_stock"));
                  assertThat(answers).isEqualTo(expected);
                  assertThat(loaded.lastSequence()).isEqualTo(12); // start, ten grabs, finish
                  assertThat(loaded.finish()).isNotNull();
                  assertThat(loaded.unchunkedFrom()).isEqualTo(11);
                  assertThat(loaded.unchunked()).containsExactly("c9");
                  assertHolds(loaded.customers(), customers(0, 10));
                });
                return vertx.undeploy(second);
              });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Three hundred customers at once (group commits of many grabs each): every saved chunk holds exactly the customers
   * of its sequences, in sequence order, as the events have them.
   */
  @Test
  void chunksCutFromConcurrentGrabsMatchTheEventsSequenceBySequence(Vertx vertx, VertxTestContext ctx) {
    int size = 16;
    int grabs = 300;
    SecKillConfig own = TestInfra.freshConfig().withSnapshotGrabs(size);
    Pool db = Databases.pool(vertx, own.writeDb(), "snapshot-concurrency-test");
    WebClient client = Async.client(vertx, 64);
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC()))
        .compose(deployed -> CommandVerticleTest.insertPromotion(db, id, 1000, now.minusSeconds(1),
                now.plusSeconds(3600))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> grab(client, own, id, "warm").map(r -> r.statusCode() == 200 || r.statusCode() == 429)))
            .compose(v -> {
              List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
              for (int i = 0; i < grabs - 1; i++) {
                all.add(grab(client, own, id, "crowd-" + i));
              }
              return Future.all(all).map(done -> {
                ctx.verify(() -> all.forEach(r -> assertThat(r.result().statusCode()).isEqualTo(200)));
                return null;
              });
            })
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> chunks(db, id).map(c -> c.size() == grabs / size)))
            .compose(v -> Future.all(
                db.preparedQuery("SELECT first_sequence, grabs, customers FROM customer_chunks WHERE promotion_id = ?"
                    + " ORDER BY first_sequence").execute(Tuple.of(id.toString())),
                db.preparedQuery("SELECT sequence, customer_id FROM events WHERE promotion_id = ?"
                    + " AND customer_id IS NOT NULL ORDER BY sequence").execute(Tuple.of(id.toString()))))
            .compose(both -> {
              ctx.verify(() -> {
                Map<Long, String> bySequence = new TreeMap<>();
                for (Row row : both.<RowSet<Row>>resultAt(1)) {
                  bySequence.put(row.getLong(0), row.getString(1));
                }
                assertThat(bySequence).hasSize(grabs);
                long expectedFirst = 2;
                for (Row chunk : both.<RowSet<Row>>resultAt(0)) {
                  long first = chunk.getLong(0);
                  assertThat(first).isEqualTo(expectedFirst);
                  List<String> held = new ArrayList<>();
                  CustomerChunkCodec.decode(chunk.getBuffer(2).getBytes(), held);
                  assertThat(held).hasSize(chunk.getInteger(1)).hasSize(size);
                  for (int i = 0; i < size; i++) {
                    assertThat(held.get(i)).as("sequence %d", first + i).isEqualTo(bySequence.get(first + i));
                  }
                  expectedFirst += size;
                }
              });
              return vertx.undeploy(deployed);
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** {@code set} holds exactly {@code expected}: as many, each of them, and not one of the customers after them. */
  private static void assertHolds(CustomerSet set, List<String> expected) {
    assertThat(set.size()).isEqualTo(expected.size());
    assertThat(expected).allMatch(set::contains);
    assertThat(customers(expected.size(), expected.size() + 5)).noneMatch(set::contains);
  }

  private static List<String> customers(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "c" + i).toList();
  }

  /** Grabs for c{from} .. c{to - 1}, one after the other, noting each answer's status (and error). */
  private static Future<Void> grabInTurn(WebClient client, SecKillConfig on, UUID id, int from, int to,
                                         List<String> answers) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = from; i < to; i++) {
      String customer = "c" + i;
      chain = chain.compose(v -> grab(client, on, id, customer).map(r -> {
        answers.add(r.statusCode() == 200 ? "200"
            : r.statusCode() + " " + r.bodyAsJsonObject().getString("error"));
        return null;
      }));
    }
    return chain;
  }

  private static Future<HttpResponse<Buffer>> grab(WebClient client, SecKillConfig on, UUID id, String customer) {
    return Grabs.grab(client, on.commandPort(), id, customer);
  }

  /** The promotion's chunks: first sequence -> grabs. */
  private static Future<Map<Long, Integer>> chunks(Pool db, UUID id) {
    return db.preparedQuery("SELECT first_sequence, grabs FROM customer_chunks WHERE promotion_id = ?")
        .execute(Tuple.of(id.toString())).map(rows -> {
          Map<Long, Integer> chunks = new TreeMap<>();
          for (Row row : rows) {
            chunks.put(row.getLong(0), row.getInteger(1));
          }
          return chunks;
        });
  }
}
