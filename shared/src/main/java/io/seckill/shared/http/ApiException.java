package io.seckill.shared.http;

/** A request that cannot be served, with the status and the JSON error code the client gets. */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String error;

  public ApiException(int status, String error, String message) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
  }

  public static ApiException badRequest(String error, String message) {
    return new ApiException(400, error, message);
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }
}
