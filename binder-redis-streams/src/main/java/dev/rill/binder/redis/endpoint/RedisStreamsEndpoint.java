package dev.rill.binder.redis.endpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.lang.Nullable;

/**
 * The {@code redisstreams} actuator endpoint: what the binder's streams hold and how far
 * their consumer groups are, the entries of a stream (a dead-letter stream, typically),
 * and the repairs an operator needs: replaying dead letters to the stream they came from,
 * discarding one, moving a group to another position.
 * <p>
 * The binder's streams are the streams whose key starts with the binder's
 * {@code key-prefix} (see {@link StreamKeyScope}); with an empty prefix that is every
 * stream of the database.
 * <table>
 * <tr><th>request</th><th>operation</th></tr>
 * <tr><td>{@code GET /actuator/redisstreams}</td><td>{@link #streams()}</td></tr>
 * <tr><td>{@code GET /actuator/redisstreams/{stream}?after=&count=}</td><td>{@link #stream}</td></tr>
 * <tr><td>{@code POST /actuator/redisstreams/{stream}/replay}</td><td>{@link #replay}</td></tr>
 * <tr><td>{@code DELETE /actuator/redisstreams/{stream}/{entryId}}</td><td>{@link #discard}</td></tr>
 * <tr><td>{@code POST /actuator/redisstreams/{stream}/groups/{group}}</td><td>{@link #moveGroup}</td></tr>
 * </table>
 * The write operations change what consumers receive: expose them only behind
 * authentication (Spring Security, a management port that is not public), or set
 * {@code management.endpoint.redisstreams.access=read-only}.
 */
@Endpoint(id = "redisstreams")
public class RedisStreamsEndpoint {

	private static final String REPLAY = "replay";

	private static final String GROUPS = "groups";

	private final StreamKeyScope scope;

	private final StreamInspector inspector;

	private final DeadLetterReplayer replayer;

	private final ConsumerGroupPositioner positioner;

	/**
	 * @param connectionFactory the application's Redis connection factory
	 * @param keyPrefix the binder's {@code key-prefix}: only streams under it are shown and
	 * changed
	 */
	public RedisStreamsEndpoint(RedisConnectionFactory connectionFactory, String keyPrefix) {
		this.scope = new StreamKeyScope(keyPrefix);
		this.inspector = new StreamInspector(connectionFactory, this.scope);
		this.replayer = new DeadLetterReplayer(connectionFactory, this.scope);
		this.positioner = new ConsumerGroupPositioner(connectionFactory, this.scope, this.inspector);
	}

	/**
	 * {@code GET /actuator/redisstreams}.
	 * @return the binder's streams (at most {@value StreamInspector#MAX_LISTED_STREAMS}, by
	 * key) with their groups and consumers
	 */
	@ReadOperation
	public StreamsDescriptor streams() {
		return this.inspector.streams();
	}

	/**
	 * {@code GET /actuator/redisstreams/{stream}?after=<id>&count=<n>}.
	 * @param stream the stream key
	 * @param after show entries after this id (the previous page's {@code next}); from the
	 * first entry when absent
	 * @param count how many entries to show (default
	 * {@value StreamInspector#DEFAULT_PAGE_SIZE}, at most {@value StreamInspector#MAX_PAGE_SIZE})
	 * @return the stream, its groups and a page of its entries; {@code null} (404) when the
	 * key does not exist
	 */
	@ReadOperation
	public StreamPageDescriptor stream(@Selector String stream, @Nullable String after, @Nullable Integer count) {
		return this.inspector.stream(stream, after, count);
	}

	/**
	 * {@code POST /actuator/redisstreams/{stream}/replay}, body optional
	 * {@code {"ids": "<id>,<id>,..."}}: sends dead letters back to their
	 * {@code x-original-stream} and deletes each from the dead-letter stream once it was
	 * re-sent.
	 * <p>
	 * The ids are one comma-separated string, not a JSON array: Actuator reads the body of
	 * a write operation as a flat JSON object of strings.
	 * @param stream the dead-letter stream's key
	 * @param action must be {@code replay}
	 * @param ids the entries to replay, separated by commas (or blanks); every entry
	 * present when the replay starts when absent or empty
	 * @return how many were replayed, and which were not and why
	 */
	@WriteOperation
	public ReplayDescriptor replay(@Selector String stream, @Selector String action, @Nullable String ids) {
		if (!REPLAY.equals(action)) {
			throw new InvalidEndpointRequestException("Unknown operation '" + action + "': use POST .../" + stream
					+ "/replay or .../" + stream + "/groups/<group>", "unknown operation '" + action + "'");
		}
		List<String> idList = (ids != null) ? Arrays.stream(ids.split("[,\\s]+")).filter(id -> !id.isEmpty()).toList()
				: List.of();
		return this.replayer.replay(stream, idList);
	}

	/**
	 * {@code DELETE /actuator/redisstreams/{stream}/{entryId}}: discards one dead letter.
	 * @param stream the dead-letter stream's key
	 * @param entryId the dead letter's id
	 * @return how many entries were deleted (0 when there was none with that id)
	 */
	@DeleteOperation
	public DiscardDescriptor discard(@Selector String stream, @Selector String entryId) {
		return this.replayer.discard(stream, entryId);
	}

	/**
	 * {@code POST /actuator/redisstreams/{stream}/groups/{group}} with
	 * {@code {"position": ...}}: {@code XGROUP SETID}. The group next receives the entries
	 * after the position: {@code earliest} (everything still in the stream again),
	 * {@code latest} (skip everything there is), an entry id (the entries after it) or an
	 * ISO-8601 instant (the entries added from then on). Pending entries stay pending.
	 * @param stream the stream key
	 * @param groups must be {@code groups}
	 * @param group the consumer group
	 * @param position where the group continues
	 * @return the group after the move
	 */
	@WriteOperation
	public GroupDescriptor moveGroup(@Selector String stream, @Selector String groups, @Selector String group,
			String position) {
		if (!GROUPS.equals(groups)) {
			throw new InvalidEndpointRequestException("Unknown operation '" + groups + "': use POST .../" + stream
					+ "/groups/<group>", "unknown operation '" + groups + "'");
		}
		return this.positioner.move(stream, group, position);
	}

	/**
	 * The binder's streams.
	 * @param keyPrefix the binder's key prefix
	 * @param streams the streams, by key
	 * @param truncated whether there were more than could be listed
	 */
	public record StreamsDescriptor(String keyPrefix, List<StreamDescriptor> streams,
			boolean truncated) implements OperationResponseBody {
	}

	/**
	 * @param key the stream key
	 * @param length the number of entries
	 * @param firstId the id of the first entry, {@code null} when the stream is empty
	 * @param lastId the id of the last entry, {@code null} when the stream is empty
	 * @param lastGeneratedId the greatest id ever added (entries up to it may have been
	 * deleted)
	 * @param groups the consumer groups
	 */
	public record StreamDescriptor(String key, long length, String firstId, String lastId, String lastGeneratedId,
			List<GroupDescriptor> groups) implements OperationResponseBody {
	}

	/**
	 * @param name the group name
	 * @param lag entries not yet delivered to the group
	 * @param lagCapped whether {@code lag} is only a lower bound: Redis did not know it
	 * (Redis 6.2, or after deletions or a moved group), and counting stopped at
	 * {@value StreamInspector#MAX_COUNTED_LAG}
	 * @param pending entries delivered and not acknowledged
	 * @param lastDeliveredId the id of the last entry delivered to the group
	 * @param consumers the group's consumers
	 */
	public record GroupDescriptor(String name, long lag, boolean lagCapped, long pending, String lastDeliveredId,
			List<ConsumerDescriptor> consumers) implements OperationResponseBody {
	}

	/**
	 * @param name the consumer name
	 * @param idleMs milliseconds since the consumer's last read or claim
	 * @param pending the entries delivered to it and not acknowledged
	 */
	public record ConsumerDescriptor(String name, long idleMs, long pending) {
	}

	/**
	 * One stream and a page of its entries.
	 * @param stream the stream with its groups
	 * @param entries the entries of the page, in id order
	 * @param next the {@code after} of the next page, {@code null} on the last page
	 */
	public record StreamPageDescriptor(StreamDescriptor stream, List<EntryDescriptor> entries,
			String next) implements OperationResponseBody {
	}

	/**
	 * @param id the entry id
	 * @param headers every field but {@code payload}, UTF-8 text (values that are not are
	 * shown as {@code base64:<...>}), cut at 16 KiB
	 * @param payload the payload's first 16 KiB, as text or base64 (see {@code payloadEncoding});
	 * {@code null} when the entry has no {@code payload} field
	 * @param payloadEncoding {@code text} or {@code base64}
	 * @param payloadSize the payload's size in bytes
	 * @param payloadTruncated whether only the payload's first 16 KiB are shown
	 */
	public record EntryDescriptor(String id, Map<String, String> headers, String payload, String payloadEncoding,
			Integer payloadSize, boolean payloadTruncated) {
	}

	/**
	 * @param stream the dead-letter stream
	 * @param replayed how many dead letters were re-sent and removed
	 * @param failed the dead letters that were not replayed (they stay where they were,
	 * except where the reason says they were re-sent)
	 * @param stopped why the replay stopped before it was done (Redis unreachable, a
	 * timeout); {@code null} when it went through: the dead letters not replayed yet stay in
	 * the stream
	 */
	public record ReplayDescriptor(String stream, int replayed, List<FailedReplay> failed, String stopped)
			implements OperationResponseBody {
	}

	/**
	 * @param id the dead letter's id
	 * @param reason why it was not replayed
	 */
	public record FailedReplay(String id, String reason) {
	}

	/**
	 * @param stream the dead-letter stream
	 * @param id the entry id
	 * @param deleted how many entries were deleted: 1, or 0 when there was no such entry
	 */
	public record DiscardDescriptor(String stream, String id, long deleted) implements OperationResponseBody {
	}

}
