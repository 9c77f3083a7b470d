package tenshot.diffusion.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.testing.Fixtures;

class ClipTokenizerTest {

    @Test
    void matchesTransformersIdsForEveryGoldenPrompt() throws Exception {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.tinySd21().resolve("tokenizer"));
        JsonNode golden = new ObjectMapper().readTree(Fixtures.golden("tokenizer.json").toFile());
        JsonNode prompts = golden.get("prompts");
        assertTrue(prompts.size() >= 4);
        for (int p = 0; p < prompts.size(); p++) {
            JsonNode row = golden.get("input_ids").get(p);
            int[] expected = new int[row.size()];
            for (int i = 0; i < expected.length; i++) expected[i] = row.get(i).asInt();
            assertArrayEquals(expected, tokenizer.encode(prompts.get(p).asText()), "prompt " + p + ": " + prompts.get(p));
        }
    }

    @Test
    void batchRowsAreTheSinglePromptEncodings() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.tinySd21().resolve("tokenizer"));
        long[][] batch = tokenizer.encodeBatch(List.of("a Dolphin", "!"));
        assertEquals(2, batch.length);
        assertEquals(77, batch[0].length);
        assertEquals(tokenizer.bosId(), batch[1][0]);
        assertEquals(0, batch[1][1]);
        assertEquals(tokenizer.eosId(), batch[1][2]);
    }

    @Test
    void cleansWhitespaceControlCharactersAndCase() {
        assertEquals("a café with cats", ClipTokenizer.clean("  A\u00a0Cafe\u0301\twith\u0007 CATS\n"));
        assertEquals("", ClipTokenizer.clean(" \t\n"));
    }

    @Test
    void loadsAByteLevelTokenizerWithoutMerges(@TempDir Path dir) throws Exception {
        StringBuilder vocab = new StringBuilder("{");
        String[] symbols = {"a", "b", "a</w>", "b</w>", "!", "<|startoftext|>", "<|endoftext|>"};
        for (int i = 0; i < symbols.length; i++) vocab.append(i == 0 ? "" : ",").append('"').append(symbols[i]).append("\":").append(i);
        Files.writeString(dir.resolve("vocab.json"), vocab.append('}').toString());
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 8, \"pad_token\": \"!\"}");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        assertArrayEquals(new int[] {5, 0, 3, 1, 2, 6, 4, 4}, tokenizer.encode("ab ba"));
        assertArrayEquals(new int[] {5, 0, 1, 0, 1, 0, 1, 6}, tokenizer.encode("abababab"));
    }

    @Test
    void namesTheMissingFile(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }
}
