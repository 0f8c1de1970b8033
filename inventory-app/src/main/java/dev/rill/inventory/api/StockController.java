package dev.rill.inventory.api;

import jakarta.validation.Valid;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.rill.inventory.store.StockLevel;
import dev.rill.inventory.store.StockStore;

/**
 * The stock levels over HTTP: {@code PUT /stock/{sku}} sets what is available (what is
 * reserved stays), {@code GET /stock/{sku}} reads both.
 */
@RestController
@RequestMapping("/stock")
public class StockController {

	private static final Logger logger = LoggerFactory.getLogger(StockController.class);

	private final StockStore stock;

	public StockController(StockStore stock) {
		this.stock = stock;
	}

	/**
	 * @param sku the sku
	 * @param update the new available quantity
	 * @return the sku's stock after the change
	 */
	@PutMapping("/{sku}")
	public StockLevel setAvailable(@PathVariable String sku, @Valid @RequestBody StockUpdate update) {
		StockLevel level = this.stock.setAvailable(sku, update.available());
		logger.info("Stock of sku {} set: available {}, reserved {}", sku, level.available(), level.reserved());
		return level;
	}

	/**
	 * @param sku the sku
	 * @return its stock
	 * @throws StockNotFoundException when it has no stock record
	 */
	@GetMapping("/{sku}")
	public StockLevel get(@PathVariable String sku) {
		return this.stock.find(sku).orElseThrow(() -> new StockNotFoundException(sku));
	}

}
