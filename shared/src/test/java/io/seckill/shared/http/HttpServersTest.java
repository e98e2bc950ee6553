package io.seckill.shared.http;

import io.seckill.shared.config.HttpLimits;
import io.seckill.shared.identity.TrustedProxies;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The limits on a real server: connections over a cap closed at once, a request that does not arrive closed. */
@ExtendWith(VertxExtension.class)
class HttpServersTest {

  private static boolean closed(Socket socket, int waitMillis) throws IOException {
    socket.setSoTimeout(waitMillis);
    InputStream in = socket.getInputStream();
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void connectionsOverTheAddressCapAreClosedAndHalfOpenOnesAfterTheDeadline(Vertx vertx) throws Exception {
    int port = TestInfra.freePort();
    HttpLimits limits = new HttpLimits(1_000, 60, 0, 3);
    Async.await(HttpServers.create(vertx, limits, TrustedProxies.NONE, request -> request.response().end("ok"))
        .listen(port, "127.0.0.1"));
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        sockets.add(socket);
      }
      int refused = 0;
      for (Socket socket : sockets.subList(3, 6)) {
        refused += closed(socket, 500) ? 1 : 0;
      }
      assertThat(refused).as("connections over the per-address cap closed at once").isEqualTo(3);
      for (Socket socket : sockets.subList(0, 3)) {
        assertThat(closed(socket, 300)).as("within the cap, before the deadline: open").isFalse();
      }
      for (Socket socket : sockets.subList(0, 3)) {
        assertThat(closed(socket, 3_000)).as("a request that never arrives whole: closed after the deadline").isTrue();
      }
      // the address is served again once its connections are gone: the server counts a connection gone when its
      // close handler has run, which may be just after this side saw the close, so asked again within a bound
      String answer = "";
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (!answer.equals("HTTP/1.1 200") && System.nanoTime() < deadline) {
        Socket again = new Socket();
        sockets.add(again);
        again.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        again.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        again.setSoTimeout(2_000);
        answer = new String(again.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      }
      assertThat(answer).isEqualTo("HTTP/1.1 200");
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  void aKeepAliveConnectionDribblingItsNextRequestIsClosedByTheDeadlineAndAnIdleOneIsNot(Vertx vertx)
      throws Exception {
    int port = TestInfra.freePort();
    // deadline 1 s, idle timeout 30 s: the next request's first bytes start the deadline, silence does not
    HttpLimits limits = new HttpLimits(1_000, 30, 0, 10);
    Async.await(HttpServers.create(vertx, limits, TrustedProxies.NONE, request -> request.response().end("ok"))
        .listen(port, "127.0.0.1"));
    try (Socket slow = new Socket(); Socket idle = new Socket()) {
      for (Socket socket : List.of(slow, idle)) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        socket.setSoTimeout(2_000);
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
            .isEqualTo("HTTP/1.1 200");
        socket.getInputStream().readNBytes(socket.getInputStream().available());
      }
      // the slow one starts its next request and sends a header every 200 ms (slowloris on a kept-alive connection)
      slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      long began = System.nanoTime();
      boolean slowClosed = false;
      for (int i = 0; i < 25 && !slowClosed; i++) {
        slowClosed = closed(slow, 200);
        if (!slowClosed) {
          try {
            slow.getOutputStream().write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
          } catch (IOException e) {
            slowClosed = true;
          }
        }
      }
      long tookMillis = (System.nanoTime() - began) / 1_000_000;
      assertThat(slowClosed).as("a next request dribbling in for " + tookMillis + " ms: closed").isTrue();
      assertThat(tookMillis).as("closed within the deadline and a sweep").isLessThan(3_000);
      // the idle one (kept alive, silent) is still there, and still served
      assertThat(closed(idle, 100)).as("an idle keep-alive connection within the idle timeout").isFalse();
      idle.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      idle.setSoTimeout(2_000);
      assertThat(new String(idle.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
          .isEqualTo("HTTP/1.1 200");
    }
  }
}
