package dev.rill.inventory.store;

import java.time.Instant;
import java.util.UUID;

/**
 * How an order was answered: its stock reserved, or refused with a reason. Stored once per
 * order, so a redelivered order gets the same answer with the same event id.
 *
 * @param reserved whether the stock of the whole order was reserved
 * @param eventId the id of the event that announces this outcome
 * @param occurredAt when the outcome was decided
 * @param reason why the order was refused; null when reserved
 * @param replayed whether the outcome had been decided by an earlier call (this call
 * changed nothing)
 */
public record Reservation(boolean reserved, UUID eventId, Instant occurredAt, String reason, boolean replayed) {

}
