package io.seckill.command.domain;

/** Why a grab is refused, with the error code of SPEC §2 (its HTTP status is the HTTP layer's: CommandRoutes). */
public enum Rejection {
  PROMOTION_NOT_ACTIVE("promotion_not_active", "the promotion is unknown, not yet open or over"),
  OUT_OF_STOCK("out_of_stock", "no coupons left"),
  DUPLICATE_ORDER("duplicate_order", "this customer already has a coupon of this promotion");

  private final String code;
  private final String message;

  Rejection(String code, String message) {
    this.code = code;
    this.message = message;
  }

  public String code() {
    return code;
  }

  public String message() {
    return message;
  }
}
