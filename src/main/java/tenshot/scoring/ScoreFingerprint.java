package tenshot.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A SHA-256 over everything a scorecard depends on: the mode, which metrics are available, and every
 * style's name, reference and generated file names and bytes. Equal fingerprints mean the scorecard
 * need not be recomputed.
 */
public final class ScoreFingerprint {

    private ScoreFingerprint() {}

    public static String of(List<ScoredStyle> styles, ScoringMode mode, ScoringModels models) throws IOException {
        MessageDigest sha = sha256();
        update(sha, "mode=" + mode.key());
        for (Metric m : Metric.values()) update(sha, m.key() + "=" + models.available(m));
        for (ScoredStyle s : styles) {
            update(sha, "style=" + s.name());
            for (Path p : s.references()) file(sha, "ref", p);
            for (Path p : s.generated()) file(sha, "gen", p);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void file(MessageDigest sha, String role, Path p) throws IOException {
        update(sha, role + "=" + p.getFileName());
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(p)) {
            int n;
            while ((n = in.read(buffer)) > 0) sha.update(buffer, 0, n);
        }
    }

    private static void update(MessageDigest sha, String s) {
        sha.update(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
