package dev.rill.binder.redis.test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the programs the fixtures run ({@code redis-server}, {@code redis-cli},
 * {@code openssl}) in the directories of {@code PATH}, as a shell would.
 */
final class Executables {

	private Executables() {
	}

	/**
	 * @param program the program's name, without the {@code .exe} Windows adds
	 * @return the first executable file of that name in the directories of {@code PATH}
	 */
	static Optional<Path> onPath(String program) {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
		String name = windows ? program + ".exe" : program;
		for (String directory : path.split(Pattern.quote(File.pathSeparator))) {
			if (directory.isBlank()) {
				continue;
			}
			try {
				Path candidate = Path.of(directory, name);
				if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
					return Optional.of(candidate);
				}
			}
			catch (RuntimeException ex) {
				// An invalid PATH entry: skip it.
			}
		}
		return Optional.empty();
	}

}
