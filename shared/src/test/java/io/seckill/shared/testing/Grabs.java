package io.seckill.shared.testing;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.UUID;
import java.nio.charset.StandardCharsets;
import java.net.URLEncoder;

/** Requests as a customer makes them: with that customer's identity token of the test issuer. */
public final class Grabs {
  private Grabs() {
  }

  /** {@code POST /command/coupons} on {@code port} as {@code customer} (the body names the customer too). */
  public static Future<HttpResponse<Buffer>> grab(WebClient client, int port, UUID promotion, String customer) {
    return client.post(port, "127.0.0.1", "/command/coupons")
        .bearerTokenAuthentication(TestInfra.token(customer))
        .sendJsonObject(new JsonObject().put("promotionId", promotion.toString()).put("customerId", customer));
  }

  public static Future<HttpResponse<Buffer>> grab(WebClient client, int port, String promotion, String customer) {
    return grab(client, port, UUID.fromString(promotion), customer);
  }

  /** {@code GET /query/coupons/{customer}} on {@code port} as that customer. */
  public static Future<HttpResponse<Buffer>> coupons(WebClient client, int port, String customer) {
    return client.get(port, "127.0.0.1", "/query/coupons/" + URLEncoder.encode(customer,
            StandardCharsets.UTF_8).replace("+", "%20"))
        .bearerTokenAuthentication(TestInfra.token(customer)).send();
  }
}
