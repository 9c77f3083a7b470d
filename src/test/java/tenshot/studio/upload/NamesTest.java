package tenshot.studio.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @Test
    void objectNamesComeFromFileNames() {
        assertEquals("wallet", Names.objectName("wallet_.png"));
        assertEquals("cypress tree", Names.objectName("cypress_tree.png"));
        assertEquals("bird", Names.objectName("bird_01.jpg"));
        assertEquals("olive tree", Names.objectName("olive_tree2.jpeg"));
        assertEquals("Dolphin", Names.objectName("Dolphin"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil.png", "..", "a/b.png", "a\\b.png", "tab\tname.png", "123.png", "_.png", "", "what?.png"})
    void refusesNamesThatAreNotPlainFileNames(String name) {
        UploadRejected e = assertThrows(UploadRejected.class, () -> Names.objectName(name));
        assertEquals(name, e.subject());
    }

    @Test
    void promptsComeInTheChallengeFormOrAsAnArray() {
        assertEquals(List.of("Dolphin", "Bread", "Moon"),
                PromptList.parse("{\"1\": \"Bread\", \"0\": \"Dolphin\", \"10\": \"Moon\"}", "prompts"));
        assertEquals(List.of("a cat", "a dog"), PromptList.parse("[\"a cat\", \" a dog \"]", "prompts"));
    }

    @Test
    void refusesBadPromptLists() {
        assertThrows(UploadRejected.class, () -> PromptList.parse("[\"Dog\", \"dog\"]", "prompts"));
        assertThrows(UploadRejected.class, () -> PromptList.parse("[\"../etc/passwd\"]", "prompts"));
        assertThrows(UploadRejected.class, () -> PromptList.parse("[\"\"]", "prompts"));
        assertThrows(UploadRejected.class, () -> PromptList.parse("[]", "prompts"));
        assertThrows(UploadRejected.class, () -> PromptList.parse("{\"x\": \"Dog\"}", "prompts"));
        assertThrows(UploadRejected.class, () -> PromptList.parse("{\"0\": \"Dog\", \"0\": \"Cat\"}", "prompts"));
        assertThrows(UploadRejected.class, () -> PromptList.parse("{\"0\": 5}", "prompts"));
        assertThrows(UploadRejected.class, () -> PromptList.parse("not json", "prompts"));
        UploadRejected big = assertThrows(UploadRejected.class,
                () -> PromptList.parse("[\"" + "a".repeat(70_000) + "\"]", "prompts"));
        assertEquals(413, big.status());
        assertTrue(big.getMessage().startsWith("prompts: "), big.getMessage());
    }
}
