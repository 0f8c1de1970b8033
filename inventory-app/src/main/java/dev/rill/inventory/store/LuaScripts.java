package dev.rill.inventory.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The store's Lua scripts, read from the classpath once.
 * <p>
 * {@code RedisScript.of(Resource)} keeps the resource and asks it on every execution whether it
 * changed (to recompute the SHA1): for a script inside the packaged jar that opens a jar URL
 * connection per call, about a tenth of inventory-app's CPU per order in the saga benchmark. The
 * scripts never change while the application runs, so their text is read here and the SHA1 is
 * computed once.
 */
final class LuaScripts {

	private LuaScripts() {
	}

	/**
	 * @param path the script's classpath location
	 * @param resultType the type of its reply
	 * @param <T> the type of its reply
	 * @return the script, its text read now
	 */
	static <T> RedisScript<T> load(String path, Class<T> resultType) {
		try (InputStream in = new ClassPathResource(path).getInputStream()) {
			return new DefaultRedisScript<>(new String(in.readAllBytes(), StandardCharsets.UTF_8), resultType);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the Lua script " + path, ex);
		}
	}

}
