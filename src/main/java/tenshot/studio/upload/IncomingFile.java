package tenshot.studio.upload;

import java.nio.file.Path;

/** A file as it arrived: the name the client gave it and where its bytes wait on disk. */
public record IncomingFile(String fileName, Path file) {}
