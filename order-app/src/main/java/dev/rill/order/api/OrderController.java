package dev.rill.order.api;

import java.net.URI;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.rill.order.logging.OrderLogContext;
import dev.rill.order.placement.OrderPlacement;
import dev.rill.order.placement.PlacedOrder;
import dev.rill.order.store.OrderReadModel;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /orders} places an order, {@code GET /orders/{id}} reads it from the read model.
 * Errors are answered as {@code application/problem+json} by {@link ApiExceptionHandler}.
 */
@RestController
@RequestMapping("/orders")
public class OrderController {

	/** The optional request header that makes a placement safe to retry. */
	public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	/** Printable ASCII without spaces: the key becomes part of a Redis key. */
	private static final Pattern IDEMPOTENCY_KEY_FORMAT = Pattern.compile("[\\x21-\\x7E]{1,200}");

	private final OrderPlacement placement;

	private final OrderReadModel readModel;

	/**
	 * @param placement places orders
	 * @param readModel the orders as the events left them
	 */
	public OrderController(OrderPlacement placement, OrderReadModel readModel) {
		this.placement = placement;
		this.readModel = readModel;
	}

	/**
	 * @param request the order
	 * @param idempotencyKey the client's key that makes the call safe to retry, or null
	 * @param http the request (for its correlation id)
	 * @return 202 with the order id and its Location
	 */
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	public ResponseEntity<PlaceOrderResponse> place(@Valid @RequestBody PlaceOrderRequest request,
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey,
			HttpServletRequest http) {
		if (idempotencyKey != null && !IDEMPOTENCY_KEY_FORMAT.matcher(idempotencyKey).matches()) {
			throw new InvalidHeaderException(IDEMPOTENCY_KEY,
					"must be 1 to 200 printable ASCII characters without spaces");
		}
		PlacedOrder placed = this.placement.place(request.toNewOrder(), idempotencyKey,
				CorrelationIdFilter.correlationId(http));
		return ResponseEntity.accepted()
			.location(URI.create("/orders/" + placed.orderId()))
			.body(new PlaceOrderResponse(placed.orderId(), "PLACED"));
	}

	/**
	 * @param orderId the order's id
	 * @return the order
	 * @throws OrderNotFoundException for an unknown id
	 */
	@GetMapping("/{orderId}")
	public OrderView get(@PathVariable String orderId) {
		if (!isUuid(orderId)) {
			throw new OrderNotFoundException(orderId); // never an id this service gave out
		}
		try (OrderLogContext context = OrderLogContext.open(null, orderId)) {
			return this.readModel.find(orderId.toLowerCase(Locale.ROOT))
				.map(OrderView::of)
				.orElseThrow(() -> new OrderNotFoundException(orderId));
		}
	}

	private static boolean isUuid(String text) {
		try {
			return text.length() == 36 && UUID.fromString(text).toString().equalsIgnoreCase(text);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

}
