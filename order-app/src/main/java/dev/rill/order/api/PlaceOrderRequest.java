package dev.rill.order.api;

import java.util.List;

import dev.rill.order.events.OrderLine;
import dev.rill.order.placement.NewOrder;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /orders}. A plain record without type information: JSON can only
 * fill these fields (unknown ones, such as {@code @class}, are ignored), never choose a class.
 *
 * @param customerId who orders
 * @param email where the customer is told about the outcome
 * @param items what is ordered: 1 to 100 lines
 */
public record PlaceOrderRequest(@NotBlank @Size(max = 100) String customerId,
		@NotBlank @Email @Size(max = 254) String email,
		@NotEmpty @Size(max = 100) List<@NotNull @Valid OrderItemRequest> items) {

	/**
	 * @return the validated order
	 */
	NewOrder toNewOrder() {
		return new NewOrder(this.customerId, this.email,
				this.items.stream().map(item -> new OrderLine(item.sku(), item.quantity())).toList());
	}

}
