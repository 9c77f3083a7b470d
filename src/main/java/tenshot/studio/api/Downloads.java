package tenshot.studio.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tenshot.store.ArtifactStore;

/**
 * Streams stored artifacts to HTTP clients, whole or as one byte range ({@code Range: bytes=a-b},
 * {@code bytes=a-}, {@code bytes=-n}). Several ranges in one request are answered with the whole file,
 * which HTTP allows. Blocking: use from {@code @Blocking} endpoints.
 */
@ApplicationScoped
public class Downloads {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    @Inject
    ArtifactStore store;

    public Response serve(String key, String contentType, String fileName, String rangeHeader) {
        try {
            ArtifactStore.Info info = store.stat(key).orElseThrow(() ->
                    new ApiException(404, "Not Found", "the artifact " + key + " is not in the store", key));
            long size = info.size();
            Response.ResponseBuilder response;
            long offset = 0;
            long length = size;
            Matcher m = rangeHeader == null ? null : RANGE.matcher(rangeHeader.strip());
            if (m != null && m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                if (m.group(1).isEmpty()) {
                    long suffix = Long.parseLong(m.group(2));
                    offset = Math.max(0, size - suffix);
                } else {
                    offset = Long.parseLong(m.group(1));
                }
                long last = m.group(1).isEmpty() || m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                if (offset >= size || last < offset) {
                    return Response.status(416).header("Content-Range", "bytes */" + size)
                            .type(Problem.MEDIA_TYPE)
                            .entity(Problem.of(416, "Range Not Satisfiable", "the file has " + size + " bytes; asked for "
                                    + rangeHeader, "Range"))
                            .build();
                }
                length = last - offset + 1;
                response = Response.status(206).header("Content-Range", "bytes " + offset + "-" + last + "/" + size);
            } else {
                response = Response.ok();
            }
            long from = offset;
            long count = length;
            StreamingOutput body = out -> {
                try (InputStream in = from == 0 && count == size ? store.open(key) : store.open(key, from, count)) {
                    in.transferTo(out);
                }
            };
            return response.entity(body)
                    .type(contentType)
                    .header("Accept-Ranges", "bytes")
                    .header("Content-Length", length)
                    .header("Last-Modified", java.util.Date.from(info.lastModified()))
                    .header("Content-Disposition", disposition(fileName))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code attachment; filename="..."} with an RFC 5987 form for names beyond ASCII. */
    public static String disposition(String fileName) {
        String ascii = fileName.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''"
                + URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
