package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.train.ClassImageCache;
import tenshot.diffusion.train.PromptTemplate;
import tenshot.diffusion.train.StableDiffusionTrainable;
import tenshot.diffusion.train.StyleSet;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.worker.JobContext;
import tenshot.worker.JobHandler;

/**
 * Generates the class images of prior preservation into the shared class-image cache, under the same
 * keys the trainer looks up (model id, class prompt, seed, steps, size, guidance, scheduler). Identical
 * runs share this job through its dedupe key; the trainer then finds every image cached.
 */
@ApplicationScoped
public class PriorHandler implements JobHandler {

    @Inject
    EngineInputs inputs;

    @Override
    public String kind() {
        return JobKinds.PRIOR;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        RunSpec spec = context.payload(RunSpec.class);
        TrainingRecipe recipe = TrainingRecipe.fromJson(spec.recipe());
        Path modelDir = inputs.modelDir(spec.baseModel());
        StyleSet style = StyleSet.open(inputs.stageStyle(spec, context.scratchDir().resolve("style")));
        List<String> prompts = style.classPrompts(new PromptTemplate(recipe.classPrompt()));
        ClassImageCache cache = new ClassImageCache(inputs.classImageDir(spec.baseModel()));
        int total = prompts.size() * recipe.classImagesPerPrompt();
        int done = 0;
        int generated = 0;
        try (StableDiffusionTrainable model = StableDiffusionTrainable.load(modelDir, context.device())) {
            int size = recipe.resolution() > 0 ? recipe.resolution() : model.defaultSize();
            for (String prompt : prompts) {
                for (int k = 0; k < recipe.classImagesPerPrompt(); k++) {
                    long began = System.nanoTime();
                    ClassImageCache.Key key = new ClassImageCache.Key(spec.baseModel(), prompt, recipe.seed() + k,
                            recipe.classImageSteps(), size, recipe.classImageGuidance(), "ddim");
                    if (!cache.contains(key)) {
                        cache.getOrGenerate(key, kk -> model.generate(kk.prompt(), kk.seed(), kk.steps(), kk.guidanceScale(),
                                kk.size(), step -> context.checkCancelled()));
                        generated++;
                    }
                    done++;
                    context.progress().onStep(StepReport.of("class-images", done, total, (System.nanoTime() - began) / 1e9));
                }
            }
        }
        return Map.of("classImages", total, "generated", generated);
    }
}
