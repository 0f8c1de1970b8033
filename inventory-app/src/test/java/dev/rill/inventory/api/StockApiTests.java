package dev.rill.inventory.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.TestChannelBinderConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import dev.rill.inventory.PrivateRedisTest;
import dev.rill.inventory.store.ReservationStore;
import dev.rill.inventory.store.StockLevel;
import dev.rill.inventory.store.StockStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code PUT /stock/{sku}} and {@code GET /stock/{sku}} through MockMvc, on a real Redis.
 */
@SpringBootTest(properties = "spring.cloud.stream.default-binder=" + TestChannelBinderConfiguration.NAME)
@AutoConfigureMockMvc
@Import(TestChannelBinderConfiguration.class)
class StockApiTests extends PrivateRedisTest {

	@Autowired
	MockMvc mvc;

	@Autowired
	StockStore stock;

	@Autowired
	ReservationStore reservations;

	@BeforeEach
	void clean() {
		redis.flushAll();
	}

	@Test
	void putCreatesTheStockOfANewSku() throws Exception {
		putStock("apple", "{\"available\":12}").andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
			.andExpect(content().json("{\"sku\":\"apple\",\"available\":12,\"reserved\":0}", true));

		assertThat(this.stock.find("apple")).contains(new StockLevel("apple", 12, 0));
	}

	@Test
	void putSetsAvailableAndKeepsWhatIsReserved() throws Exception {
		this.stock.setAvailable("apple", 10);
		this.reservations.reserve("o-1", Map.of("apple", 4L), UUID.randomUUID(), Instant.now());

		putStock("apple", "{\"available\":0}").andExpect(status().isOk())
			.andExpect(content().json("{\"sku\":\"apple\",\"available\":0,\"reserved\":4}", true));
	}

	@Test
	void getReturnsAvailableAndReserved() throws Exception {
		this.stock.setAvailable("apple", 10);
		this.reservations.reserve("o-1", Map.of("apple", 3L), UUID.randomUUID(), Instant.now());

		this.mvc.perform(get("/stock/apple"))
			.andExpect(status().isOk())
			.andExpect(content().json("{\"sku\":\"apple\",\"available\":7,\"reserved\":3}", true));
	}

	@Test
	void getOfAnUnknownSkuIs404ProblemDetail() throws Exception {
		this.mvc.perform(get("/stock/kiwi"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(404))
			.andExpect(jsonPath("$.title").value("Unknown sku"))
			.andExpect(jsonPath("$.detail").value("No stock record for sku kiwi"))
			.andExpect(jsonPath("$.sku").value("kiwi"))
			.andExpect(jsonPath("$.instance").value("/stock/kiwi"));
	}

	@Test
	void negativeAvailableIs400NamingTheField() throws Exception {
		expectBadField(putStock("apple", "{\"available\":-1}"), "available", "must be greater than or equal to 0");
		assertThat(this.stock.find("apple")).isEmpty();
	}

	@Test
	void missingAvailableIs400NamingTheField() throws Exception {
		expectBadField(putStock("apple", "{}"), "available", "must not be null");
	}

	@Test
	void availableAboveWhatLuaComparesExactlyIs400NamingTheField() throws Exception {
		expectBadField(putStock("apple", "{\"available\":9007199254740992}"), "available",
				"must be less than or equal to 9007199254740991");
	}

	@Test
	void nonNumericAvailableIs400NamingTheField() throws Exception {
		expectBadField(putStock("apple", "{\"available\":\"many\"}"), "available", "must be a whole number");
	}

	@Test
	void fractionalAvailableIs400NamingTheField() throws Exception {
		expectBadField(putStock("apple", "{\"available\":1.5}"), "available", "must be a whole number");
		assertThat(this.stock.find("apple")).isEmpty();
	}

	@Test
	void reservedCannotBeSetThroughPut() throws Exception {
		this.stock.setAvailable("apple", 10);
		this.reservations.reserve("o-1", Map.of("apple", 4L), UUID.randomUUID(), Instant.now());

		putStock("apple", "{\"available\":1,\"reserved\":0}").andExpect(status().isOk())
			.andExpect(content().json("{\"sku\":\"apple\",\"available\":1,\"reserved\":4}", true));
	}

	@Test
	void malformedJsonIs400NamingTheBody() throws Exception {
		putStock("apple", "{\"available\":").andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.errors", hasSize(1)))
			.andExpect(jsonPath("$.errors[0].field").value("body"))
			.andExpect(jsonPath("$.errors[0].message", containsString("malformed JSON")));
	}

	@Test
	void aMissingBodyIs400NamingTheBody() throws Exception {
		this.mvc.perform(put("/stock/apple").contentType(MediaType.APPLICATION_JSON))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.errors[0].field").value("body"));
	}

	private ResultActions putStock(String sku, String body) throws Exception {
		return this.mvc.perform(put("/stock/{sku}", sku).contentType(MediaType.APPLICATION_JSON).content(body));
	}

	private static void expectBadField(ResultActions result, String field, String message) throws Exception {
		result.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(400))
			.andExpect(jsonPath("$.title").value("Invalid request"))
			.andExpect(jsonPath("$.errors", hasSize(1)))
			.andExpect(jsonPath("$.errors[0].field").value(field))
			.andExpect(jsonPath("$.errors[0].message").value(message));
	}

}
