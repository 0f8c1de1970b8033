package dev.rill.inventory.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Body of {@code PUT /stock/{sku}}. Other fields are ignored, {@code reserved} too: only
 * reservations change it, and the answer shows its actual value.
 *
 * @param available the quantity that can be reserved from now on; at most 2^53 - 1, the
 * largest integer the reservation script compares exactly
 */
public record StockUpdate(@NotNull @PositiveOrZero @Max(MAX_AVAILABLE) Long available) {

	/** 2^53 - 1: Redis' Lua compares numbers as doubles. */
	public static final long MAX_AVAILABLE = 9_007_199_254_740_991L;

}
