package dev.rill.binder.redis.outbound;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Appends entries to streams with {@code XADD} through Lettuce's asynchronous API on a
 * native connection of one producer binding's own.
 * <p>
 * The connection comes from the application's Lettuce client, so it has the client's
 * settings (TLS, credentials, Sentinel or Cluster, command timeout, reconnection). Going
 * straight to Lettuce, rather than through Spring Data Redis' reactive API, saves a
 * Reactor chain and a record conversion per message.
 */
final class StreamAppender implements AutoCloseable {

	private final StatefulConnection<byte[], byte[]> connection;

	private final RedisStreamAsyncCommands<byte[], byte[]> commands;

	private StreamAppender(StatefulConnection<byte[], byte[]> connection,
			RedisStreamAsyncCommands<byte[], byte[]> commands) {
		this.connection = connection;
		this.commands = commands;
	}

	/**
	 * Open a connection of its own with the application's Lettuce client.
	 * @param connectionFactory the application's connection factory, Lettuce's
	 * @return the appender
	 */
	static StreamAppender open(ReactiveRedisConnectionFactory connectionFactory) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new IllegalStateException("The Redis Streams binder needs the Lettuce client, found "
					+ connectionFactory.getClass().getName());
		}
		AbstractRedisClient client = lettuce.getRequiredNativeClient();
		if (client instanceof RedisClusterClient cluster) {
			StatefulRedisClusterConnection<byte[], byte[]> connection = cluster.connect(ByteArrayCodec.INSTANCE);
			return new StreamAppender(connection, connection.async());
		}
		StatefulRedisConnection<byte[], byte[]> connection = ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
		return new StreamAppender(connection, connection.async());
	}

	/**
	 * Send one {@code XADD}; its reply arrives later.
	 * @param key the stream key
	 * @param args trimming and id options
	 * @param fields field names and values, alternating
	 * @return the entry id Redis assigned, when it arrives
	 */
	RedisFuture<String> append(byte[] key, XAddArgs args, byte[][] fields) {
		return this.commands.xadd(key, args, (Object[]) fields);
	}

	@Override
	public void close() {
		// The client's shutdown may have closed it already (the application is closing).
		if (this.connection.isOpen()) {
			this.connection.close();
		}
	}

}
