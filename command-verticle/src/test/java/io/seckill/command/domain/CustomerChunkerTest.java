package io.seckill.command.domain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomerChunkerTest {
  private static final UUID PROMOTION = UUID.randomUUID();

  @Test
  void committedGrabsAreCutIntoChunksOfConsecutiveSequences() {
    CustomerChunker chunker = CustomerChunker.fresh(PROMOTION, 3);
    List<CustomerChunk> chunks = new ArrayList<>();
    for (int i = 0; i < 8; i++) { // sequences 2..9: the start is 1
      CustomerChunk chunk = chunker.committed(CustomerChunker.FIRST_GRAB + i, "c" + i);
      if (chunk != null) {
        chunks.add(chunk);
      }
    }
    assertThat(chunks).containsExactly(
        new CustomerChunk(PROMOTION, 2, List.of("c0", "c1", "c2")),
        new CustomerChunk(PROMOTION, 5, List.of("c3", "c4", "c5")));
    assertThat(chunks.get(1).nextSequence()).isEqualTo(8);
    assertThat(chunker.committed(10, "c8")).isEqualTo(new CustomerChunk(PROMOTION, 8, List.of("c6", "c7", "c8")));
  }

  @Test
  void aResumedChunkerCutsWhatTheRestartReadFromTheEventsThenGoesOn() {
    // chunks end before sequence 5; the events hold the grabs of 5..11 (seven customers)
    CustomerChunker chunker = CustomerChunker.resume(PROMOTION, 3, 5, List.of("a", "b", "c", "d", "e", "f", "g"));
    assertThat(chunker.fullChunks()).containsExactly(
        new CustomerChunk(PROMOTION, 5, List.of("a", "b", "c")),
        new CustomerChunk(PROMOTION, 8, List.of("d", "e", "f")));
    assertThat(chunker.fullChunks()).isEmpty();
    assertThat(chunker.committed(12, "h")).isNull();
    assertThat(chunker.committed(13, "i")).isEqualTo(new CustomerChunk(PROMOTION, 11, List.of("g", "h", "i")));
  }

  @Test
  void aGrabOutOfSequenceIsRefused() {
    CustomerChunker chunker = CustomerChunker.fresh(PROMOTION, 3);
    chunker.committed(2, "a");
    assertThatThrownBy(() -> chunker.committed(4, "c")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("grab 4 committed where 3 was next");
    assertThatThrownBy(() -> chunker.committed(2, "a")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aChunkIsACopy() {
    List<String> customers = new ArrayList<>(List.of("a"));
    CustomerChunk chunk = new CustomerChunk(PROMOTION, 2, customers);
    customers.add("b");
    assertThat(chunk.customers()).containsExactly("a");
  }
}
