package io.seckill.shared.identity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/** Secrets kept in the data dir: written once, owner-readable only, atomically (several processes may race). */
final class SecretFiles {
  private SecretFiles() {
  }

  /** The content of {@code dir/name}, written from {@code make} first if the file does not exist yet. */
  static String readOrCreate(Path dir, String name, Supplier<String> make) throws IOException {
    Path file = dir.resolve(name);
    if (!Files.exists(file)) {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, name, ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the directory's own permissions apply
      }
      Files.writeString(tmp, make.get());
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        Files.deleteIfExists(tmp);
        if (!Files.exists(file)) {
          throw raced;
        }
      }
    }
    return Files.readString(file);
  }
}
