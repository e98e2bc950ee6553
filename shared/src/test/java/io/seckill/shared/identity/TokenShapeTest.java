package io.seckill.shared.identity;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is refused before any key is looked at; no I/O. */
class TokenShapeTest {
  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void refused(String token) {
    assertThatThrownBy(() -> TokenShape.header(token)).as(token).isInstanceOf(TokenRefused.class);
  }

  @Test
  void aSignedRs256OrEs256TokenPassesTheShapeCheck() throws TokenRefused {
    assertThat(TokenShape.header(b64("{\"alg\":\"RS256\",\"kid\":\"k\"}") + ".e30.c2ln").getString("kid")).isEqualTo("k");
    assertThat(TokenShape.header(b64("{\"alg\":\"ES256\"}") + ".e30.c2ln").getString("alg")).isEqualTo("ES256");
  }

  @Test
  void malformedTokensAreRefused() {
    refused(null);
    refused("");
    refused("garbage");
    refused("a.b");
    refused("a.b.c.d");
    refused(b64("{\"alg\":\"RS256\"}") + ".e30.c2ln.c2ln");
    refused(b64("{\"alg\":\"RS256\"}") + "..c2ln");
    refused(b64("{\"alg\":\"RS256\"}") + ".e30.");
    refused("." + "e30.c2ln");
    refused(b64("{\"alg\":\"RS256\"}") + ".e3 0.c2ln");
    refused(b64("{\"alg\":\"RS256\"}") + ".e30.c2ln=");
    refused(b64("[1,2]") + ".e30.c2ln");
    refused(b64("not json") + ".e30.c2ln");
    refused(b64("{\"alg\":\"RS256\"}") + ".e30." + "a".repeat(TokenShape.MAX_LENGTH));
  }

  @Test
  void noneSymmetricAndUnknownAlgorithmsAreRefused() {
    refused(b64("{\"alg\":\"none\"}") + ".e30.c2ln");
    refused(b64("{\"alg\":\"HS256\"}") + ".e30.c2ln");
    refused(b64("{\"alg\":\"RS512\"}") + ".e30.c2ln");
    refused(b64("{\"alg\":\"rs256\"}") + ".e30.c2ln");
    refused(b64("{\"alg\":[\"RS256\"]}") + ".e30.c2ln");
    refused(b64("{}") + ".e30.c2ln");
  }

  @Test
  void headersThatBringTheirOwnKeysOrExtensionsAreRefused() {
    refused(b64("{\"alg\":\"RS256\",\"jku\":\"https://evil.example/jwks\"}") + ".e30.c2ln");
    refused(b64("{\"alg\":\"RS256\",\"jwk\":{}}") + ".e30.c2ln");
    refused(b64("{\"alg\":\"RS256\",\"x5c\":[]}") + ".e30.c2ln");
    refused(b64("{\"alg\":\"RS256\",\"crit\":[\"exp\"]}") + ".e30.c2ln");
    refused(b64("{\"alg\":\"RS256\",\"kid\":7}") + ".e30.c2ln");
  }
}
