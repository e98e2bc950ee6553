package io.seckill.shared.identity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** The data dir's secrets: made once, kept, readable by their owner only. */
class SecretFilesTest {
  @Test
  void theIssuerKeyAndTheTicketKeysAreMadeOnceAndOwnerReadableOnly(@TempDir Path dir) throws Exception {
    DevIssuer first = DevIssuer.loadOrCreate(dir);
    DevIssuer again = DevIssuer.loadOrCreate(dir);
    assertThat(again.kid()).isEqualTo(first.kid());
    assertThat(again.jwk()).isEqualTo(first.jwk());
    TicketKey ticketKey = TicketKey.loadOrCreate(dir).get(0);
    assertThat(TicketKey.loadOrCreate(dir).get(0).secret()).isEqualTo(ticketKey.secret());
    for (String name : new String[] {DevIssuer.FILE, TicketKey.FILE}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name)))).isEqualTo("rw-------");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(DevIssuer.FILE, TicketKey.FILE);
    }
    // the public JWK carries no private part
    assertThat(first.jwk().fieldNames()).containsExactlyInAnyOrder("kty", "use", "alg", "kid", "n", "e");
  }
}
