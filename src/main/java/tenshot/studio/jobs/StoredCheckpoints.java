package tenshot.studio.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.train.TrainingCheckpoints;
import tenshot.store.ArtifactStore;
import tenshot.worker.JobProgress;

/**
 * Mirrors a training job's checkpoint folder ({@code checkpoint-<step>/} directories, see
 * {@link TrainingCheckpoints}) into the artifact store under a prefix such as {@code runs/7/checkpoints/},
 * so an attempt on another host, with no shared file system, resumes from the newest one. A stored
 * checkpoint counts once its {@link TrainingCheckpoints#STATE} file is there: that file is uploaded last
 * and downloaded last. The store keeps the newest {@code keep} checkpoints.
 */
public final class StoredCheckpoints {

    private final ArtifactStore store;
    private final String prefix;
    private final Path local;
    private final int keep;
    private String uploaded;

    public StoredCheckpoints(ArtifactStore store, String prefix, Path local, int keep) {
        if (!prefix.endsWith("/")) throw new IllegalArgumentException("checkpoint prefix must end with '/': " + prefix);
        ArtifactStore.checkPrefix(prefix);
        if (keep < 1) throw new IllegalArgumentException("must keep at least one stored checkpoint: " + keep);
        this.store = store;
        this.prefix = prefix;
        this.local = local;
        this.keep = keep;
    }

    public String prefix() {
        return prefix;
    }

    /**
     * Downloads the newest stored checkpoint into the local folder unless the local folder already has
     * one at least as new (an earlier attempt on this host). Returns the step it downloaded, if any.
     */
    public Optional<Long> restoreLatest() throws IOException {
        List<String> stored = complete();
        if (stored.isEmpty()) return Optional.empty();
        String newest = stored.get(stored.size() - 1);
        Optional<TrainingCheckpoints.Saved> here = new TrainingCheckpoints(local, keep).latest();
        if (here.isPresent() && here.get().state().step() >= TrainingCheckpoints.stepOf(newest)) return Optional.empty();
        Files.createDirectories(local);
        Path temp = Files.createTempDirectory(local, ".download-");
        try {
            List<String> files = new ArrayList<>(store.list(prefix + newest + "/"));
            // the completion marker last, so an interrupted download is never taken for a checkpoint
            files.sort(Comparator.comparing((String key) -> key.endsWith("/" + TrainingCheckpoints.STATE)).thenComparing(k -> k));
            for (String key : files) {
                Path target = temp.resolve(key.substring((prefix + newest + "/").length()));
                Files.createDirectories(target.getParent());
                try (InputStream in = store.open(key)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path dir = local.resolve(newest);
            if (Files.exists(dir)) deleteTree(dir);
            Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(temp)) deleteTree(temp);
        }
        uploaded = newest;
        return Optional.of(TrainingCheckpoints.stepOf(newest));
    }

    /** Uploads the newest local checkpoint unless it is already stored, then prunes old stored ones. */
    public void uploadLatest() throws IOException {
        Optional<TrainingCheckpoints.Saved> latest = new TrainingCheckpoints(local, keep).latest();
        if (latest.isEmpty()) return;
        Path dir = latest.get().directory();
        String name = dir.getFileName().toString();
        if (name.equals(uploaded)) return;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
        }
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString().equals(TrainingCheckpoints.STATE))
                .thenComparing(Path::toString));
        for (Path file : files) {
            store.put(prefix + name + "/" + dir.relativize(file).toString().replace('\\', '/'), file);
        }
        uploaded = name;
        List<String> stored = complete();
        for (int i = 0; i < stored.size() - keep; i++) store.deleteAll(prefix + stored.get(i) + "/");
    }

    /** A listener that uploads each new checkpoint before passing the step on (the trainer saves, then reports). */
    public StepListener uploading(StepListener next) {
        return report -> {
            uploadLatestUnchecked();
            next.onStep(report);
        };
    }

    /** The same for a board: every style's newest checkpoint is stored before a report (whole or per style) goes on. */
    public static JobProgress uploading(List<StoredCheckpoints> styles, JobProgress next) {
        return new JobProgress() {
            @Override
            public void onStep(StepReport report) {
                for (StoredCheckpoints s : styles) s.uploadLatestUnchecked();
                next.onStep(report);
            }

            @Override
            public void onStep(StepReport whole, List<Part> parts) {
                for (StoredCheckpoints s : styles) s.uploadLatestUnchecked();
                next.onStep(whole, parts);
            }
        };
    }

    private void uploadLatestUnchecked() {
        try {
            uploadLatest();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot store the checkpoint under " + prefix + ": " + e.getMessage(), e);
        }
    }

    /** Deletes every stored checkpoint (once their job no longer needs them). */
    public void deleteAll() throws IOException {
        store.deleteAll(prefix);
        uploaded = null;
    }

    /** Names of complete stored checkpoints, oldest first. */
    private List<String> complete() throws IOException {
        TreeMap<Long, String> byStep = new TreeMap<>();
        for (String key : store.list(prefix)) {
            String rest = key.substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0 || !rest.substring(slash + 1).equals(TrainingCheckpoints.STATE)) continue;
            String name = rest.substring(0, slash);
            long step = TrainingCheckpoints.stepOf(name);
            if (step >= 0) byStep.put(step, name);
        }
        return new ArrayList<>(byStep.values());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
