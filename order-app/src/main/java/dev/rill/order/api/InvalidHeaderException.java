package dev.rill.order.api;

/**
 * A request header has a value the API does not accept.
 */
public class InvalidHeaderException extends RuntimeException {

	private final String header;

	/**
	 * @param header the header's name
	 * @param message what is wrong with it
	 */
	public InvalidHeaderException(String header, String message) {
		super(message);
		this.header = header;
	}

	/**
	 * @return the header's name
	 */
	public String getHeader() {
		return this.header;
	}

}
