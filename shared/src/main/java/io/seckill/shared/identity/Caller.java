package io.seckill.shared.identity;

/** A verified caller: the customer id a token or ticket speaks for, and whether it may act as an admin. */
public record Caller(String customerId, boolean admin) {
}
