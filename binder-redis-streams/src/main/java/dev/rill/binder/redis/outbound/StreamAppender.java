package dev.rill.binder.redis.outbound;

import java.time.Duration;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Appends entries to streams with {@code XADD} through Lettuce's asynchronous commands
 * ({@link RedisFuture}) on a native connection of one producer binding's own, in batches
 * ({@link BatchingDispatcher}).
 * <p>
 * The connection comes from the application's Lettuce client, so it has the client's
 * settings (TLS, credentials, Sentinel or Cluster, command timeout, reconnection). Going
 * straight to Lettuce, rather than through Spring Data Redis' reactive API, saves a
 * Reactor chain and a record conversion per message.
 */
final class StreamAppender implements AutoCloseable {

	private final StatefulConnection<byte[], byte[]> connection;

	private final BatchingDispatcher dispatcher;

	StreamAppender(StatefulConnection<byte[], byte[]> connection) {
		this.connection = connection;
		this.dispatcher = new BatchingDispatcher(connection);
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
		StatefulConnection<byte[], byte[]> connection = (client instanceof RedisClusterClient cluster)
				? cluster.connect(ByteArrayCodec.INSTANCE) : ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
		return new StreamAppender(connection);
	}

	/**
	 * Send one {@code XADD}; its reply arrives later.
	 * @param key the stream key
	 * @param args trimming and id options
	 * @param fields field names and values, alternating
	 * @param now hand it to Redis at once (the caller waits for the reply) instead of
	 * with the next batch
	 * @return the entry id Redis assigned, when it arrives
	 */
	RedisFuture<String> append(byte[] key, XAddArgs args, byte[][] fields, boolean now) {
		CommandArgs<byte[], byte[]> commandArgs = new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(key);
		args.build(commandArgs);
		for (byte[] field : fields) {
			commandArgs.add(field);
		}
		AsyncCommand<byte[], byte[], String> command = new AsyncCommand<>(
				new Command<>(CommandType.XADD, new StatusOutput<>(ByteArrayCodec.INSTANCE), commandArgs));
		this.dispatcher.write(command, now);
		return command;
	}

	/**
	 * Send a {@code WAIT}: Redis answers once {@code replicas} replicas confirmed every
	 * write this connection sent before it (so the {@code XADD}s appended before), or when
	 * {@code timeout} passed, with how many did.
	 * @param replicas how many replicas to wait for
	 * @param timeout how long Redis waits for them
	 * @param now hand it to Redis at once instead of with the next batch
	 * @return how many replicas confirmed, when Redis answers
	 */
	RedisFuture<Long> awaitReplicas(int replicas, Duration timeout, boolean now) {
		CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE).add(replicas)
			.add(timeout.toMillis());
		AsyncCommand<byte[], byte[], Long> command = new AsyncCommand<>(
				new Command<>(CommandType.WAIT, new IntegerOutput<>(ByteArrayCodec.INSTANCE), args));
		this.dispatcher.write(command, now);
		return command;
	}

	/**
	 * @return how many batches of commands were handed to the connection so far
	 */
	int batches() {
		return this.dispatcher.batches();
	}

	@Override
	public void close() {
		// The client's shutdown may have closed it already (the application is closing).
		if (this.connection.isOpen()) {
			this.connection.close();
		}
	}

}
