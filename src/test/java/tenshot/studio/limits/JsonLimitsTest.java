package tenshot.studio.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.studio.upload.PromptList;
import tenshot.studio.upload.UploadRejected;

/** The readers of client JSON outside the REST layer refuse deep and oversized documents, naming the limit. */
class JsonLimitsTest {

    @Test
    void promptListsRefuseDeepNesting() {
        UploadRejected e = assertThrows(UploadRejected.class,
                () -> PromptList.parse("[".repeat(100) + "]".repeat(100), "prompts"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("nesting depth") && e.getMessage().contains("64"), e.getMessage());
    }

    @Test
    void promptListsRefuseLongNumbers() {
        UploadRejected e = assertThrows(UploadRejected.class, () -> PromptList.parse("[" + "1".repeat(200) + "]", "prompts"));
        assertTrue(e.getMessage().contains("Number value length"), e.getMessage());
    }

    @Test
    void recipesRefuseDeepNestingAndHugeStrings() {
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.fromJson("{\"base\": \"baseline\", \"x\": " + "[".repeat(40) + "]".repeat(40) + "}"));
        assertTrue(deep.getMessage().contains("nesting depth"), deep.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.fromJson("{\"base\": \"baseline\", \"instancePrompt\": \"" + "p".repeat(70_000) + "\"}"));
        assertTrue(huge.getMessage().contains("String value length"), huge.getMessage());
    }

    @Test
    void ordinaryInputStillReads() {
        assertEquals(2, PromptList.parse("{\"0\": \"Dolphin\", \"1\": \"Bread\"}", "prompts").size());
        assertEquals(7, TrainingRecipe.fromJson("{\"base\": \"baseline\", \"steps\": 7}").steps());
    }
}
