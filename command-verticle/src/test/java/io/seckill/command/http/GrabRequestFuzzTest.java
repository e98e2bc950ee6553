package io.seckill.command.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.seckill.shared.http.ApiException;
import io.seckill.shared.identity.CustomerIds;
import io.vertx.core.buffer.Buffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The grab body parser under Jazzer: whatever the bytes, either a request with a UUID and a valid (or no) customer
 * id, or a 400 invalid_request; never another exception. {@code mvn test} replays the saved inputs
 * ({@code src/test/resources/.../GrabRequestFuzzTestInputs/parse}); {@code JAZZER_FUZZ=1} fuzzes (docs/testing.md).
 */
class GrabRequestFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void parse(byte[] body) {
    GrabRequest request;
    try {
      request = GrabRequest.parse(Buffer.buffer(body));
    } catch (ApiException e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.error()).isEqualTo("invalid_request");
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(request.promotionId()).isNotNull();
    assertThat(request.customerId() == null || CustomerIds.valid(request.customerId())).isTrue();
  }
}
