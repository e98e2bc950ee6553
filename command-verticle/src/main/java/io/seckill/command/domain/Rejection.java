package io.seckill.command.domain;

/** Why a grab is refused, with the HTTP status and error code of SPEC §2. */
public enum Rejection {
  PROMOTION_NOT_ACTIVE(400, "promotion_not_active", "the promotion is unknown, not yet open or over"),
  OUT_OF_STOCK(429, "out_of_stock", "no coupons left"),
  DUPLICATE_ORDER(429, "duplicate_order", "this customer already has a coupon of this promotion");

  private final int status;
  private final String code;
  private final String message;

  Rejection(int status, String code, String message) {
    this.status = status;
    this.code = code;
    this.message = message;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String message() {
    return message;
  }
}
