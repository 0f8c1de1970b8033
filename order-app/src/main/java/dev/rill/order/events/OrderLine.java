package dev.rill.order.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One line of an order: how many of which article.
 *
 * @param sku the article
 * @param quantity how many
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OrderLine(String sku, int quantity) {
}
