package io.seckill.command.domain;

/** Where a promotion is in its life, as its events say. */
public enum PromotionStatus { SCHEDULED, ACTIVE, FINISHED }
