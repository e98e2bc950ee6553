package io.seckill.loadtest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.time.ZoneOffset;
import java.time.LocalDateTime;

/**
 * The two reference servers the benchmark compares the system with, on the same machine and load:
 * <ul>
 *   <li>{@code ceiling PORT}: parses the same grab body and answers JSON; no state, no I/O (the HTTP ceiling). A body
 *   without {@code customerId} (a grab with a ticket: the customer is the ticket's, which the ceiling does not
 *   check) is answered as the customer {@code -}.</li>
 *   <li>{@code bare PORT}: answers 200 with an empty body and reads nothing (the bare ceiling: what Vert.x and the
 *   load generator cost for one request and answer on this machine, with no body parsing and no JSON).</li>
 *   <li>{@code naive PORT DB_PORT COUPONS}: the flash-sale tutorial way, one transaction per grab on the same
 *   MariaDB: {@code UPDATE ... SET remaining = remaining - 1 WHERE id = ? AND remaining > 0}, then
 *   {@code INSERT} of the coupon under a unique (promotion, customer) key.</li>
 * </ul>
 * One verticle instance per core, as the system runs. The ceiling reads and answers a grab as the command endpoint
 * does (streaming parse, body written directly, headers precomputed), so that it bounds the system's request path.
 */
public final class BenchServers {
  private static final Logger LOG = LoggerFactory.getLogger(BenchServers.class);
  static final String NAIVE_PROMOTION = "00000000-0000-0000-0000-000000000001";
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final JsonFactory JSON_FACTORY = new JsonFactory();
  private static final Buffer INVALID = new JsonObject().put("error", "invalid_request")
      .put("message", "request body must be {promotionId, customerId}").toBuffer();

  private BenchServers() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: ceiling PORT | bare PORT | naive PORT DB_PORT COUPONS"
          + " | tickets PORT PROMOTION TOKENS_FILE COUNT OUT_FILE CONNECTIONS | ticket-shapes COUNT PROMOTION OUT_FILE");
    }
    if (args[0].equals("tickets")) {
      TicketFetcher.run(args);
      return;
    }
    if (args[0].equals("ticket-shapes")) {
      TicketShapes.run(args);
      return;
    }
    Vertx vertx = Vertx.vertx();
    int port = Integer.parseInt(args[1]);
    int cores = Runtime.getRuntime().availableProcessors();
    Future<String> deployed;
    if (args[0].equals("ceiling")) {
      deployed = vertx.deployVerticle(() -> new Stateless(port, BenchServers::ceiling),
          new DeploymentOptions().setInstances(cores));
    } else if (args[0].equals("bare")) {
      deployed = vertx.deployVerticle(() -> new Stateless(port, request -> request.response().end()),
          new DeploymentOptions().setInstances(cores));
    } else if (args[0].equals("naive")) {
      int dbPort = Integer.parseInt(args[2]);
      int coupons = Integer.parseInt(args[3]);
      deployed = Naive.prepare(vertx, dbPort, coupons).compose(v -> vertx.deployVerticle(() -> new Naive(port, dbPort),
          new DeploymentOptions().setInstances(cores)));
    } else {
      throw new IllegalArgumentException("unknown server " + args[0]);
    }
    deployed.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    LOG.info("{} server listening on 127.0.0.1:{}", args[0], port);
  }

  /** A grab's two fields; {@code customerId} is null when the body names none. */
  record Grab(String promotionId, String customerId) {
  }

  /**
   * Parses {promotionId[, customerId]} the way the command endpoint does (Jackson's streaming parser, the promotion
   * id checked as a UUID), so that the ceiling pays what the system pays to read a grab; null when malformed.
   */
  static Grab grab(Buffer body) {
    String promotionId = null;
    String customerId = null;
    try (JsonParser parser = JSON_FACTORY.createParser(body.getBytes())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("promotionId".equals(field) && value == JsonToken.VALUE_STRING) {
          promotionId = parser.getText();
        } else if ("customerId".equals(field) && value == JsonToken.VALUE_STRING) {
          customerId = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
      if (promotionId == null || customerId != null && (customerId.isEmpty() || customerId.length() > 64)) {
        return null;
      }
      UUID.fromString(promotionId);
      return new Grab(promotionId, customerId);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  static void reply(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.toBuffer());
  }

  /** A coupon body like the command endpoint's 200, written directly as it writes it. */
  static Buffer coupon(Grab grab) {
    StringBuilder json = new StringBuilder(160).append("{\"promotionId\":\"").append(grab.promotionId())
        .append("\",\"customerId\":\"");
    JsonStringEncoder.getInstance().quoteAsString(grab.customerId() == null ? "-" : grab.customerId(), json);
    return Buffer.buffer(json.append("\",\"sequence\":1,\"discount\":0.5,\"time\":\"").append(Instant.now())
        .append("\"}").toString());
  }

  /** The JSON ceiling's answer: the grab read as the command endpoint reads it, the coupon written as it writes it. */
  static void ceiling(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      Grab grab = grab(body);
      if (grab == null) {
        request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(INVALID);
        return;
      }
      request.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(coupon(grab));
    });
  }

  /** A reference server without state: {@code handler} answers each request. */
  static final class Stateless extends VerticleBase {
    private final int port;
    private final Handler<HttpServerRequest> handler;

    Stateless(int port, Handler<HttpServerRequest> handler) {
      this.port = port;
      this.handler = handler;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer().requestHandler(handler).listen(port, "127.0.0.1");
    }
  }

  static final class Naive extends VerticleBase {
    private static final String TAKE = "UPDATE naive_promotions SET remaining = remaining - 1"
        + " WHERE id = ? AND remaining > 0";
    private static final String INSERT = "INSERT INTO naive_coupons (promotion_id, customer_id, grabbed_at)"
        + " VALUES (?, ?, ?)";
    private final int port;
    private final int dbPort;
    private Pool pool;

    Naive(int port, int dbPort) {
      this.port = port;
      this.dbPort = dbPort;
    }

    static MySQLConnectOptions options(int dbPort, String database) {
      return new MySQLConnectOptions().setHost("127.0.0.1").setPort(dbPort).setUser("root").setPassword("")
          .setDatabase(database).setCachePreparedStatements(true);
    }

    /** A fresh naive schema with one promotion of {@code coupons}. */
    static Future<Void> prepare(Vertx vertx, int dbPort, int coupons) {
      Pool admin = MySQLBuilder.pool().connectingTo(options(dbPort, "")).using(vertx).build();
      return admin.query("DROP DATABASE IF EXISTS seckill_naive").execute()
          .compose(v -> admin.query("CREATE DATABASE seckill_naive").execute())
          .compose(v -> admin.query("CREATE TABLE seckill_naive.naive_promotions (id CHAR(36) PRIMARY KEY,"
              + " remaining INT NOT NULL) ENGINE=InnoDB").execute())
          .compose(v -> admin.query("CREATE TABLE seckill_naive.naive_coupons (promotion_id CHAR(36) NOT NULL,"
              + " customer_id VARCHAR(64) NOT NULL, grabbed_at DATETIME(3) NOT NULL,"
              + " PRIMARY KEY (promotion_id, customer_id)) ENGINE=InnoDB").execute())
          .compose(v -> admin.preparedQuery("INSERT INTO seckill_naive.naive_promotions VALUES (?, ?)")
              .execute(Tuple.of(NAIVE_PROMOTION, coupons)))
          .eventually(admin::close)
          .mapEmpty();
    }

    @Override
    public Future<?> start() {
      pool = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(32))
          .connectingTo(options(dbPort, "seckill_naive")).using(vertx).build();
      return vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
        Grab grab = grab(body);
        if (grab == null || grab.customerId() == null) { // it checks no identity: the body names the customer
          reply(request, 400, new JsonObject().put("error", "invalid_request"));
          return;
        }
        String customer = grab.customerId();
        Instant now = Instant.now();
        pool.withTransaction(conn -> conn.preparedQuery(TAKE).execute(Tuple.of(NAIVE_PROMOTION))
                .compose(rows -> rows.rowCount() == 0
                    ? Future.succeededFuture(false)
                    : conn.preparedQuery(INSERT).execute(Tuple.of(NAIVE_PROMOTION, customer,
                        LocalDateTime.ofInstant(now, ZoneOffset.UTC))).map(true)))
            .onComplete(ar -> {
              if (ar.succeeded() && ar.result()) {
                reply(request, 200, new JsonObject().put("promotionId", NAIVE_PROMOTION).put("customerId", customer)
                    .put("time", now.toString()));
              } else if (ar.succeeded()) {
                reply(request, 429, new JsonObject().put("error", "out_of_stock"));
              } else if (ar.cause() instanceof MySQLException e && e.getErrorCode() == 1062) {
                reply(request, 429, new JsonObject().put("error", "duplicate_order"));
              } else {
                reply(request, 503, new JsonObject().put("error", "unavailable"));
              }
            });
      })).listen(port, "127.0.0.1");
    }
  }
}
