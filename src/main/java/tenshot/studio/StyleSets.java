package tenshot.studio;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import tenshot.store.ArtifactStore;
import tenshot.store.StyleImage;
import tenshot.store.StyleSet;
import tenshot.store.Team;
import tenshot.studio.api.ApiException;
import tenshot.studio.upload.ChallengeFolder;
import tenshot.studio.upload.IncomingFile;
import tenshot.studio.upload.PreparedStyleSet;
import tenshot.studio.upload.PromptList;
import tenshot.studio.upload.SafeUnzip;
import tenshot.studio.upload.StyleSetPreparer;
import tenshot.studio.upload.UploadRejected;

/**
 * Creates style sets from uploads, zips and server-side challenge folders. The checks and the file
 * writes run on a worker thread; the rows are inserted in one transaction afterwards, and if that
 * fails the stored files are removed again, so a rejected upload leaves nothing behind.
 */
@ApplicationScoped
public class StyleSets {

    @Inject
    ArtifactStore store;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "tenshot.import-root")
    Optional<Path> importRoot;

    /**
     * @param promptJson the prompt list's bytes, read on the worker thread that prepares the set (it may read a file)
     * @param promptTemplate the set's object phrase for generation (checked by the caller), or null
     */
    public Uni<StyleSet> upload(String team, String name, String styleId, List<IncomingFile> images, Supplier<byte[]> promptJson,
            String promptTemplate) {
        return save(team, () -> {
            List<String> prompts = PromptList.parse(promptJson.get(), "prompts");
            return List.of(preparer().prepare(name, styleId, images, prompts));
        }, promptTemplate).map(list -> list.get(0));
    }

    /** Imports every style of a zipped challenge folder ({@code NN/images/*}, {@code NN/prompt.json}). */
    public Uni<List<StyleSet>> importZip(String team, String namePrefix, Path zip) {
        return save(team, () -> {
            Path dir = tempDir();
            try {
                SafeUnzip.unzip(zip, dir);
                return prepareFolder(namePrefix, dir);
            } finally {
                deleteTree(dir);
            }
        });
    }

    /** Imports a challenge folder below {@code tenshot.import-root} on the server (organisers). */
    public Uni<List<StyleSet>> importPath(String team, String namePrefix, String relative) {
        Path root = importRoot.orElseThrow(() -> new ApiException(403, "Forbidden",
                "server-side import is off: set tenshot.import-root to the folder organisers may import from", "path"));
        return save(team, () -> prepareFolder(namePrefix, resolveUnder(root, relative)));
    }

    static Path resolveUnder(Path root, String relative) {
        if (relative == null || relative.isBlank()) throw ApiException.badField("path", "missing");
        BlockingIo.requireOffEventLoop("resolving an import path");
        try {
            Path realRoot = root.toRealPath();
            Path candidate = realRoot.resolve(relative).normalize();
            if (!candidate.startsWith(realRoot) || !Files.isDirectory(candidate)) {
                throw ApiException.badField("path", "not a folder below the import root: " + relative);
            }
            Path real = candidate.toRealPath();
            if (!real.startsWith(realRoot)) throw ApiException.badField("path", "leaves the import root through a link: " + relative);
            return real;
        } catch (IOException e) {
            throw ApiException.badField("path", "cannot be read: " + e.getMessage());
        }
    }

    private List<PreparedStyleSet> prepareFolder(String namePrefix, Path dir) {
        List<ChallengeFolder.Style> styles = ChallengeFolder.read(dir);
        List<PreparedStyleSet> prepared = new ArrayList<>();
        try {
            for (ChallengeFolder.Style style : styles) {
                List<String> prompts = PromptList.parse(style.promptJson(), style.styleId() + "/prompt.json");
                List<IncomingFile> named = style.images();
                String name = (namePrefix == null || namePrefix.isBlank() ? "" : namePrefix.strip() + " ") + style.styleId();
                try {
                    prepared.add(preparer().prepare(name, style.styleId(), named, prompts));
                } catch (UploadRejected e) {
                    String where = switch (e.subject()) {
                        case "name", "styleId" -> style.styleId() + "/";
                        case "images" -> style.styleId() + "/images/";
                        default -> style.styleId() + "/images/" + e.subject();
                    };
                    throw new UploadRejected(where,
                            e.getMessage().substring(e.subject().length() + 2), e.status());
                }
            }
            return prepared;
        } catch (RuntimeException e) {
            for (PreparedStyleSet p : prepared) preparer().discard(p.prefix());
            throw e;
        }
    }

    private Uni<List<StyleSet>> save(String teamName, Supplier<List<PreparedStyleSet>> prepare) {
        return save(teamName, prepare, null);
    }

    private Uni<List<StyleSet>> save(String teamName, Supplier<List<PreparedStyleSet>> prepare, String promptTemplate) {
        String team = teamName == null || teamName.isBlank() ? Team.DEFAULT_NAME : teamName.strip();
        return vertx.executeBlocking(Uni.createFrom().item(prepare)).chain(prepared ->
                Panache.withTransaction(() -> insert(team, prepared, promptTemplate))
                        .onFailure().call(e -> vertx.executeBlocking(Uni.createFrom().item(() -> {
                            for (PreparedStyleSet p : prepared) preparer().discard(p.prefix());
                            return true;
                        }))));
    }

    private Uni<List<StyleSet>> insert(String teamName, List<PreparedStyleSet> prepared, String promptTemplate) {
        return Team.named(teamName).chain(team -> Multi.createFrom().iterable(prepared)
                .onItem().transformToUniAndConcatenate(p -> {
                    StyleSet set = new StyleSet();
                    set.teamId = team.id;
                    set.name = p.name();
                    set.styleId = p.styleId();
                    set.prompts = PromptList.toJson(p.prompts());
                    set.promptTemplate = promptTemplate;
                    return set.<StyleSet>persist().chain(saved -> {
                        List<StyleImage> rows = new ArrayList<>();
                        for (int i = 0; i < p.images().size(); i++) {
                            PreparedStyleSet.Image image = p.images().get(i);
                            StyleImage row = new StyleImage();
                            row.styleSetId = saved.id;
                            row.position = i;
                            row.objectName = image.objectName();
                            row.fileName = image.fileName();
                            row.artifactKey = image.artifactKey();
                            row.width = image.width();
                            row.height = image.height();
                            row.sha256 = image.sha256();
                            rows.add(row);
                        }
                        return StyleImage.persist(rows).replaceWith(saved);
                    });
                })
                .collect().asList());
    }

    private StyleSetPreparer preparer() {
        return new StyleSetPreparer(store);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("tenshot-import-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS))
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
