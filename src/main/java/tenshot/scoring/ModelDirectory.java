package tenshot.scoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.models.ClipIqa;
import tenshot.scoring.models.ClipRetrieval;
import tenshot.scoring.models.Dinov2;
import tenshot.scoring.models.InceptionFid;
import tenshot.scoring.models.LpipsSqueeze;

/**
 * Loads the metric models from a models directory laid out as in docs/scoring.md:
 * <pre>
 *   dinov2/          config.json, model.safetensors             (Hugging Face facebook/dinov2-base)
 *   clip-vit-l14/    config.json, model.safetensors, vocab.json, merges.txt  (openai/clip-vit-large-patch14)
 *   clip_r_candidates.txt                                        (the kit's CLIP-R candidate words)
 *   lpips-squeeze/   weights.pth or weights.safetensors          (squeezenet1_1 features + LPIPS heads)
 *   inception-fid/   weights.pth or weights.safetensors          (torch-fidelity InceptionV3 FID weights)
 *   clip-iqa/        weights.safetensors or the piq RN50 TorchScript file, vocab.json, merges.txt
 * </pre>
 * Each model that is absent or fails to load disables only its metric, with the reason.
 */
public final class ModelDirectory {

    public static final String DINO = "dinov2";
    public static final String CLIP = "clip-vit-l14";
    public static final String CLIP_R_CANDIDATES = "clip_r_candidates.txt";
    public static final String LPIPS = "lpips-squeeze";
    public static final String FID = "inception-fid";
    public static final String CLIP_IQA = "clip-iqa";

    private ModelDirectory() {}

    public static ScoringModels load(Path metricsDir, EngineDevice device) {
        ScoringModels.Builder b = ScoringModels.builder();
        if (metricsDir == null || !Files.isDirectory(metricsDir)) {
            String reason = "model not installed: models directory " + metricsDir + " not found";
            for (Metric m : Metric.values()) if (m != Metric.HIST) b.missing(m, reason);
            return b.build();
        }
        Path dinoDir = metricsDir.resolve(DINO);
        if (present(b, Metric.DINO, dinoDir)) {
            try {
                Dinov2 dino = Dinov2.load(dinoDir, device);
                b.dino(dino).closeWith(dino);
            } catch (IOException | RuntimeException e) {
                b.missing(Metric.DINO, "model at " + dinoDir + " could not be loaded: " + e.getMessage());
            }
        }
        Path lpipsDir = metricsDir.resolve(LPIPS);
        if (present(b, Metric.LPIPS, lpipsDir)) {
            try {
                LpipsSqueeze lpips = LpipsSqueeze.load(lpipsDir, device);
                b.lpips(lpips).closeWith(lpips);
            } catch (IOException | RuntimeException e) {
                b.missing(Metric.LPIPS, "model at " + lpipsDir + " could not be loaded: " + e.getMessage());
            }
        }
        Path fidDir = metricsDir.resolve(FID);
        if (present(b, Metric.FID, fidDir)) {
            try {
                InceptionFid fid = InceptionFid.load(fidDir, device);
                b.fid(fid).closeWith(fid);
            } catch (IOException | RuntimeException e) {
                b.missing(Metric.FID, "model at " + fidDir + " could not be loaded: " + e.getMessage());
            }
        }
        Path clipDir = metricsDir.resolve(CLIP);
        Path candidates = metricsDir.resolve(CLIP_R_CANDIDATES);
        if (!Files.isRegularFile(candidates)) {
            b.missing(Metric.CLIP_R, "CLIP-R candidate list not installed: " + candidates + " not found");
        } else if (present(b, Metric.CLIP_R, clipDir)) {
            try {
                List<String> lines = Files.readAllLines(candidates);
                ClipRetrieval clip = ClipRetrieval.load(clipDir, device);
                b.clipR(clip, lines).closeWith(clip);
            } catch (IOException | RuntimeException e) {
                b.missing(Metric.CLIP_R, "model at " + clipDir + " could not be loaded: " + e.getMessage());
            }
        }
        Path iqaDir = metricsDir.resolve(CLIP_IQA);
        if (present(b, Metric.CLIP_IQA, iqaDir)) {
            try {
                ClipIqa iqa = ClipIqa.load(iqaDir, device);
                b.clipIqa(iqa).closeWith(iqa);
            } catch (IOException | RuntimeException e) {
                b.missing(Metric.CLIP_IQA, "model at " + iqaDir + " could not be loaded: " + e.getMessage());
            }
        }
        return b.build();
    }

    /**
     * What is installed under {@code metricsDir}, cheaply: a SHA-256 over every file's relative path,
     * size and modification time (a worker keeps loaded models until this changes).
     */
    public static String signature(Path metricsDir) throws IOException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        if (Files.isDirectory(metricsDir)) {
            try (java.util.stream.Stream<Path> files = Files.walk(metricsDir, 3, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
                for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                    String line = metricsDir.relativize(p) + "\t" + Files.size(p) + "\t" + Files.getLastModifiedTime(p).toMillis() + "\n";
                    sha.update(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    private static boolean present(ScoringModels.Builder b, Metric metric, Path dir) {
        if (Files.isDirectory(dir)) return true;
        b.missing(metric, "model not installed: " + dir + " not found");
        return false;
    }

}
