package io.seckill.shared.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The OpenAPI 3.1 document of the whole API ({@code openapi.json}, served by every service at
 * {@code GET /openapi.json}), and the check that keeps it true: a service refuses to listen with a route the
 * document does not describe, and remembers the routes it serves so that a test can check the other way (everything
 * documented is served by some service).
 */
public final class ApiDocument {
  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
  public static final Buffer BODY = load();
  private static final Set<String> DOCUMENTED = documented(new JsonObject(BODY));
  private static final Set<String> SERVED = new ConcurrentSkipListSet<>();

  private ApiDocument() {
  }

  private static Buffer load() {
    try (InputStream in = ApiDocument.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is not on the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "METHOD /path/{param}" of every operation in the document. */
  static Set<String> documented(JsonObject document) {
    Set<String> operations = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String key : paths.getJsonObject(path).fieldNames()) {
        if (HTTP_METHODS.contains(key)) {
          operations.add(key.toUpperCase(Locale.ROOT) + " " + path);
        }
      }
    }
    return operations;
  }

  public static Set<String> documented() {
    return DOCUMENTED;
  }

  /** "METHOD /path/{param}" of every route of {@code router} that names its methods (middleware does not). */
  static Set<String> routes(Router router) {
    Set<String> routes = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> methods = route.methods();
      if (route.getPath() == null || methods == null || methods.isEmpty()) {
        continue;
      }
      String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
      for (HttpMethod method : methods) {
        routes.add(method.name() + " " + path);
      }
    }
    return routes;
  }

  /** Throws when {@code router} serves a route the document does not describe; remembers what it serves. */
  public static void check(String service, Router router) {
    Set<String> routes = routes(router);
    Set<String> undocumented = new TreeSet<>(routes);
    undocumented.removeAll(DOCUMENTED);
    if (!undocumented.isEmpty()) {
      throw new IllegalStateException("the " + service + " service serves routes openapi.json does not describe: "
          + undocumented);
    }
    SERVED.addAll(routes);
  }

  /** Every route the services of this JVM checked in (for tests). */
  public static Set<String> served() {
    return Set.copyOf(SERVED);
  }
}
