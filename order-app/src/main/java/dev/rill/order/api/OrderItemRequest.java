package dev.rill.order.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * One line of {@code POST /orders}.
 *
 * @param sku the article
 * @param quantity how many, 1 to 10000
 */
public record OrderItemRequest(@NotBlank @Size(max = 100) String sku, @NotNull @Min(1) @Max(10000) Integer quantity) {
}
