package dev.rill.binder.redis.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.RedisCommandExecutionException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.rill.binder.redis.RedisStreamsHeaders;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.DiscardDescriptor;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.FailedReplay;
import dev.rill.binder.redis.endpoint.RedisStreamsEndpoint.ReplayDescriptor;
import dev.rill.binder.redis.provisioning.RedisErrorReply;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.domain.Range;
import org.springframework.data.domain.Range.Bound;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.lang.Nullable;

/**
 * Replays dead letters: each is added ({@code XADD}) to the stream named by its
 * {@code x-original-stream} field, with its payload and header fields but without the
 * fields the dead-lettering added ({@code x-exception-*}, {@code x-original-*},
 * {@code x-delivery-count}, {@code x-failed-at}), and deleted ({@code XDEL}) from the
 * dead-letter stream only once Redis confirmed the {@code XADD}.
 * <p>
 * So a dead letter is never lost: one whose re-send fails stays in the dead-letter stream
 * and is reported. It may be duplicated: when the {@code XDEL} fails after the
 * {@code XADD} succeeded (reported too), or when an {@code XADD} that timed out was
 * written after all, a later replay sends it again. The two commands are not one
 * transaction because in a Redis Cluster the two streams live on different shards.
 * <p>
 * A Redis error reply for one entry (the original key holds something other than a
 * stream, for example) fails that entry and the replay goes on; any other failure (the
 * connection, a timeout) stops the replay, and the result says why: the entries not
 * replayed yet stay where they are.
 */
final class DeadLetterReplayer {

	private static final Log logger = LogFactory.getLog(DeadLetterReplayer.class);

	/** Dead letters read per {@code XRANGE} during a replay of a whole stream. */
	private static final int PAGE_SIZE = 100;

	private final RedisConnectionFactory connectionFactory;

	private final StreamKeyScope scope;

	/** The dead-letter streams being replayed by this process now. */
	private final Set<String> replaying = ConcurrentHashMap.newKeySet();

	DeadLetterReplayer(RedisConnectionFactory connectionFactory, StreamKeyScope scope) {
		this.connectionFactory = connectionFactory;
		this.scope = scope;
	}

	/**
	 * @param key the dead-letter stream
	 * @param ids the dead letters to replay; when {@code null} or empty, every entry the
	 * stream holds when the replay starts (entries dead-lettered again during the replay
	 * are not replayed a second time)
	 */
	ReplayDescriptor replay(String key, @Nullable List<String> ids) {
		this.scope.check(key);
		if (!this.replaying.add(key)) {
			throw StreamInspector.invalid("A replay of '" + key + "' is already running");
		}
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			Replay replay = new Replay(connection, key);
			if (!streamOrAbsent(connection, key)) {
				throw StreamInspector.invalid("Redis key '" + key + "' is not a stream");
			}
			String stopped = null;
			try {
				if (ids != null && !ids.isEmpty()) {
					replay.entries(new LinkedHashSet<>(ids));
				}
				else {
					replay.all();
				}
			}
			catch (DataAccessException ex) {
				stopped = NestedExceptionUtils.getMostSpecificCause(ex).toString()
						+ ((replay.current != null) ? " (while replaying " + replay.current
								+ ", which stays in the dead-letter stream but may have been re-sent)" : "");
				logger.warn("Replay of '" + key + "' stopped after " + replay.replayed + " dead letter(s): " + stopped,
						ex);
			}
			ReplayDescriptor result = new ReplayDescriptor(key, replay.replayed, replay.failed, stopped);
			logger.info("Replayed " + result.replayed() + " dead letter(s) of '" + key + "'"
					+ (result.failed().isEmpty() ? "" : "; not replayed: " + result.failed()));
			return result;
		}
		finally {
			this.replaying.remove(key);
		}
	}

	/**
	 * Delete one dead letter without replaying it.
	 * @throws org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException
	 * when the entry is not a dead letter (has no {@code x-original-stream})
	 */
	DiscardDescriptor discard(String key, String id) {
		this.scope.check(key);
		if (id == null || !StreamInspector.FULL_ENTRY_ID.matcher(id).matches()) {
			throw StreamInspector.invalid("'" + id + "' is not an entry id such as 1700000000000-0");
		}
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			if (!streamOrAbsent(connection, key)) {
				throw StreamInspector.invalid("Redis key '" + key + "' is not a stream");
			}
			ByteRecord record = read(connection, key, id);
			if (record == null) {
				return new DiscardDescriptor(key, id, 0);
			}
			if (field(record, RedisStreamsHeaders.ORIGINAL_STREAM) == null) {
				throw StreamInspector.invalid("Entry " + id + " of '" + key + "' is not a dead letter (it has no "
						+ RedisStreamsHeaders.ORIGINAL_STREAM + " field): only dead letters can be discarded");
			}
			Long deleted = connection.streamCommands().xDel(StreamInspector.bytes(key), RecordId.of(id));
			logger.info("Discarded dead letter " + id + " of '" + key + "'");
			return new DiscardDescriptor(key, id, (deleted != null) ? deleted : 0);
		}
	}

	private static boolean streamOrAbsent(RedisConnection connection, String key) {
		DataType type = connection.keyCommands().type(StreamInspector.bytes(key));
		return type == null || type == DataType.NONE || type == DataType.STREAM;
	}

	@Nullable
	private static ByteRecord read(RedisConnection connection, String key, String id) {
		List<ByteRecord> records = connection.streamCommands()
			.xRange(StreamInspector.bytes(key), Range.closed(id, id), Limit.limit().count(1));
		return (records == null || records.isEmpty()) ? null : records.get(0);
	}

	@Nullable
	private static String field(ByteRecord record, String name) {
		for (Map.Entry<byte[], byte[]> field : record.getValue().entrySet()) {
			if (name.equals(new String(field.getKey(), StandardCharsets.UTF_8))) {
				return new String(field.getValue(), StandardCharsets.UTF_8);
			}
		}
		return null;
	}

	/**
	 * @return whether Redis answered the command with an error reply (rather than not
	 * answering at all): the command was not executed, and the next one may succeed
	 */
	static boolean isErrorReply(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidDataAccessApiUsageException || cause instanceof RedisCommandExecutionException
					|| cause.getClass().getName().equals("redis.clients.jedis.exceptions.JedisDataException")) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/** Whether a field was added by dead-lettering and is left out of the re-sent entry. */
	static boolean isDeadLetterField(String name) {
		return name.startsWith("x-exception-") || name.startsWith("x-original-")
				|| name.equals(RedisStreamsHeaders.DELIVERY_COUNT_AT_FAILURE)
				|| name.equals(RedisStreamsHeaders.FAILED_AT);
	}

	/** One replay call. */
	private final class Replay {

		private final RedisConnection connection;

		private final String key;

		private final byte[] rawKey;

		int replayed;

		final List<FailedReplay> failed = new ArrayList<>();

		/** The dead letter being replayed, {@code null} between two. */
		String current;

		Replay(RedisConnection connection, String key) {
			this.connection = connection;
			this.key = key;
			this.rawKey = StreamInspector.bytes(key);
		}

		void entries(Set<String> ids) {
			for (String id : ids) {
				if (id == null || !StreamInspector.FULL_ENTRY_ID.matcher(id).matches()) {
					this.failed.add(new FailedReplay(id, "not an entry id"));
					continue;
				}
				ByteRecord record = read(this.connection, this.key, id);
				if (record == null) {
					this.failed.add(new FailedReplay(id, "no such entry in '" + this.key + "'"));
				}
				else {
					replay(record);
				}
			}
		}

		void all() {
			List<ByteRecord> last = this.connection.streamCommands()
				.xRevRange(this.rawKey, Range.unbounded(), Limit.limit().count(1));
			if (last == null || last.isEmpty()) {
				return;
			}
			String end = last.get(0).getId().getValue();
			Bound<String> from = Bound.unbounded();
			while (true) {
				List<ByteRecord> page = this.connection.streamCommands()
					.xRange(this.rawKey, Range.of(from, Bound.inclusive(end)), Limit.limit().count(PAGE_SIZE));
				if (page == null || page.isEmpty()) {
					return;
				}
				page.forEach(this::replay);
				if (page.size() < PAGE_SIZE) {
					return;
				}
				from = Bound.exclusive(page.get(page.size() - 1).getId().getValue());
			}
		}

		private void replay(ByteRecord record) {
			String id = record.getId().getValue();
			String original = field(record, RedisStreamsHeaders.ORIGINAL_STREAM);
			if (original == null) {
				this.failed.add(new FailedReplay(id,
						"not a dead letter: it has no " + RedisStreamsHeaders.ORIGINAL_STREAM + " field"));
				return;
			}
			if (!DeadLetterReplayer.this.scope.contains(original)) {
				this.failed.add(new FailedReplay(id, RedisStreamsHeaders.ORIGINAL_STREAM + " '" + original
						+ "' is not a stream of the binder (key-prefix '" + DeadLetterReplayer.this.scope.prefix()
						+ "')"));
				return;
			}
			Map<byte[], byte[]> fields = new LinkedHashMap<>();
			record.getValue().forEach((name, value) -> {
				if (!isDeadLetterField(new String(name, StandardCharsets.UTF_8))) {
					fields.put(name, value);
				}
			});
			if (fields.isEmpty()) {
				this.failed.add(new FailedReplay(id, "it holds no field but those of the dead-lettering"));
				return;
			}
			RecordId resent;
			this.current = id;
			try {
				resent = this.connection.streamCommands()
					.xAdd(StreamRecords.rawBytes(fields).withStreamKey(StreamInspector.bytes(original)));
			}
			catch (DataAccessException ex) {
				if (!isErrorReply(ex)) {
					throw ex;
				}
				// Redis refused this entry (e.g. WRONGTYPE): nothing was written.
				this.current = null;
				this.failed.add(new FailedReplay(id, "re-sending it to '" + original + "' failed: "
						+ RedisErrorReply.reasonOf(ex)));
				return;
			}
			try {
				this.connection.streamCommands().xDel(this.rawKey, record.getId());
				this.replayed++;
			}
			catch (DataAccessException ex) {
				logger.warn("Dead letter " + id + " of '" + this.key + "' was re-sent to '" + original + "' as "
						+ resent + " but could not be deleted; a later replay sends it again", ex);
				this.failed.add(new FailedReplay(id, "re-sent to '" + original + "' as " + resent
						+ " but not deleted from '" + this.key + "' ("
						+ RedisErrorReply.reasonOf(ex)
						+ "): discard it, or a later replay sends it again"));
				this.current = null;
				throw ex;
			}
			this.current = null;
		}

	}

}
