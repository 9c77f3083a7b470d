package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PromptTemplateTest {

    @Test
    void aStylesObjectPhraseIsWhatTheRecipesObjectBecomes() {
        PromptTemplate recipe = new PromptTemplate("{object} in style_{id}");
        PromptTemplate paper = PromptTemplate.objectPhrase("\"paper\" painting of {object}");
        assertEquals("\"paper\" painting of Dolphin in style_07", recipe.render("Dolphin", "07", paper));
        assertEquals("Dolphin in style_07", recipe.render("Dolphin", "07", null));
        assertEquals("\"paper\" painting of Bread", new PromptTemplate("{object}").render("Bread", "07", paper));
    }

    @Test
    void anObjectPhraseNeedsTheObjectAndLeavesTheStyleTokenToTheRecipe() {
        IllegalArgumentException noObject = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.objectPhrase("paper painting"));
        assertTrue(noObject.getMessage().contains("{object}"), noObject.getMessage());
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
                () -> PromptTemplate.objectPhrase("{object} in style_{id}"));
        assertTrue(id.getMessage().contains("{id}"), id.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.objectPhrase("{thing} painting"));
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.objectPhrase(" "));
    }
}
