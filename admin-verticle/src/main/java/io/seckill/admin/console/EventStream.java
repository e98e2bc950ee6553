package io.seckill.admin.console;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Server-sent events on a chunked response (Vert.x 5 has no handler for them): {@code event:} and one {@code data:}
 * line of JSON per event, a comment to open. Writes stop once the client has gone or the stream ended.
 */
final class EventStream {
  private final HttpServerResponse response;
  private boolean closed;

  EventStream(HttpServerResponse response) {
    this.response = response;
    response.closeHandler(v -> closed = true);
  }

  boolean closed() {
    return closed || response.ended() || response.closed();
  }

  void comment(String text) {
    write(": " + text.replace('\n', ' ') + "\n\n");
  }

  /** One event; {@code data} is JSON, whose encoding holds no raw newline. */
  void event(String name, JsonObject data) {
    write("event: " + name + "\ndata: " + data.encode() + "\n\n");
  }

  void end() {
    if (!closed()) {
      closed = true;
      response.end();
    }
  }

  private void write(String text) {
    if (!closed()) {
      response.write(text);
    }
  }
}
