package io.seckill.command.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomerChunkCodecTest {
  @Test
  void customersComeBackAsTheyWentIn() {
    List<String> customers = List.of("alice", "Alice", "alice ", "ü", "\uD83D\uDE00 smile", "a\u0000b", "a\nb",
        "x".repeat(64), "\uD83D\uDE00".repeat(32));
    List<String> decoded = new ArrayList<>();
    assertThat(CustomerChunkCodec.decode(CustomerChunkCodec.encode(customers), decoded)).isEqualTo(customers.size());
    assertThat(decoded).isEqualTo(customers);
  }

  @Test
  void anEmptyChunkIsEmpty() {
    List<String> decoded = new ArrayList<>();
    assertThat(CustomerChunkCodec.decode(CustomerChunkCodec.encode(List.of()), decoded)).isZero();
    assertThat(decoded).isEmpty();
  }

  @Test
  void cutBytesAreRefused() {
    byte[] whole = CustomerChunkCodec.encode(List.of("alice", "bob"));
    assertThatThrownBy(() -> CustomerChunkCodec.decode(Arrays.copyOf(whole, whole.length - 1), new ArrayList<>()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inside a customer id");
    assertThatThrownBy(() -> CustomerChunkCodec.decode(Arrays.copyOf(whole, 8), new ArrayList<>()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inside a length");
  }
}
