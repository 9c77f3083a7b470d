package tenshot.diffusion.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP byte-level BPE tokenizer as transformers' {@code CLIPTokenizer} runs it without ftfy:
 * special tokens are split out first, the rest is cleaned (control characters dropped, whitespace
 * collapsed, NFC, lowercased), cut by the CLIP pattern, byte-encoded and merged by rank. Sequences are
 * {@code [bos] + ids[:maxLength-2] + [eos]}, padded with the pad token to {@code maxLength} (SD 2 pads
 * with {@code !} = id 0).
 */
public final class ClipTokenizer {

    private static final String END_OF_WORD = "</w>";
    /** transformers reads at most this many merges (CLIP's vocabulary budget). */
    private static final int MAX_MERGES = 49152 - 256 - 2;
    private static final Pattern CLIP_PATTERN = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final char[] BYTE_TO_CHAR = byteToUnicode();

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    private final Map<String, String> bpeCache = new ConcurrentHashMap<>();
    private final Map<String, Integer> specialTokens;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;
    private final int maxLength;

    ClipTokenizer(Map<String, Integer> vocab, List<String[]> merges, String bos, String eos, String pad, String unk,
            int maxLength) {
        this.vocab = vocab;
        this.mergeRanks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            mergeRanks.putIfAbsent(pairKey(merges.get(i)[0], merges.get(i)[1]), i);
        }
        this.bosId = requireToken(bos, "bos_token");
        this.eosId = requireToken(eos, "eos_token");
        this.unkId = requireToken(unk, "unk_token");
        this.padId = requireToken(pad, "pad_token");
        this.maxLength = maxLength;
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (String s : new String[] {bos, eos, unk, pad}) specials.put(s, vocab.get(s));
        this.specialTokens = Collections.unmodifiableMap(specials);
    }

    /**
     * Loads a diffusers {@code tokenizer/} folder: {@code vocab.json}, {@code merges.txt} (may hold no
     * merges), and optionally {@code tokenizer_config.json} / {@code special_tokens_map.json}.
     */
    public static ClipTokenizer load(Path dir) {
        ObjectMapper json = new ObjectMapper();
        Path vocabFile = dir.resolve("vocab.json");
        Path mergesFile = dir.resolve("merges.txt");
        try {
            Map<String, Integer> vocab = new HashMap<>();
            JsonNode vocabNode = readJson(json, vocabFile);
            if (!vocabNode.isObject()) throw new IllegalArgumentException(vocabFile + ": expected a JSON object token -> id");
            for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().canConvertToInt()) {
                    throw new IllegalArgumentException(vocabFile + ": token '" + e.getKey() + "' has no integer id");
                }
                vocab.put(e.getKey(), e.getValue().intValue());
            }
            List<String[]> merges = new ArrayList<>();
            List<String> lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size() && merges.size() < MAX_MERGES; i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
                String[] pair = line.split(" ");
                if (pair.length != 2) {
                    throw new IllegalArgumentException(mergesFile + ": line " + (i + 1) + " is not a pair of symbols: '" + line + "'");
                }
                merges.add(pair);
            }
            JsonNode config = optionalJson(json, dir.resolve("tokenizer_config.json"));
            JsonNode specialMap = optionalJson(json, dir.resolve("special_tokens_map.json"));
            String bos = special(config, specialMap, "bos_token", "<|startoftext|>");
            String eos = special(config, specialMap, "eos_token", "<|endoftext|>");
            String unk = special(config, specialMap, "unk_token", "<|endoftext|>");
            String pad = special(config, specialMap, "pad_token", eos);
            int maxLength = config.path("model_max_length").asInt(77);
            if (maxLength < 2 || maxLength > 100_000) maxLength = 77;
            try {
                return new ClipTokenizer(vocab, merges, bos, eos, pad, unk, maxLength);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(vocabFile + ": " + e.getMessage(), e);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("tokenizer folder " + dir + " has no " + Path.of(e.getFile()).getFileName(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer folder " + dir, e);
        }
    }

    /** Token ids of one prompt: bos, the text's tokens (truncated), eos, then padding to {@link #maxLength()}. */
    public int[] encode(String text) {
        List<Integer> ids = tokenIds(text);
        int keep = Math.min(ids.size(), maxLength - 2);
        int[] out = new int[maxLength];
        java.util.Arrays.fill(out, padId);
        out[0] = bosId;
        for (int i = 0; i < keep; i++) out[i + 1] = ids.get(i);
        out[keep + 1] = eosId;
        return out;
    }

    /** {@link #encode} for each prompt, as rows of a {@code [prompts, maxLength]} matrix. */
    public long[][] encodeBatch(List<String> prompts) {
        long[][] out = new long[prompts.size()][];
        for (int i = 0; i < prompts.size(); i++) {
            int[] ids = encode(prompts.get(i));
            out[i] = new long[ids.length];
            for (int j = 0; j < ids.length; j++) out[i][j] = ids[j];
        }
        return out;
    }

    /** The text's token ids without bos/eos, padding or truncation. */
    public List<Integer> tokenIds(String text) {
        List<Integer> ids = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int bestAt = -1;
            String best = null;
            for (String special : specialTokens.keySet()) {
                int at = text.indexOf(special, start);
                if (at >= 0 && (bestAt < 0 || at < bestAt || (at == bestAt && special.length() > best.length()))) {
                    bestAt = at;
                    best = special;
                }
            }
            int end = bestAt < 0 ? text.length() : bestAt;
            encodeOrdinary(text.substring(start, end), ids);
            if (best == null) break;
            ids.add(specialTokens.get(best));
            start = bestAt + best.length();
        }
        return ids;
    }

    public int maxLength() {
        return maxLength;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public int vocabSize() {
        return vocab.size();
    }

    private void encodeOrdinary(String text, List<Integer> ids) {
        String cleaned = clean(text);
        if (cleaned.isEmpty()) return;
        Matcher m = CLIP_PATTERN.matcher(cleaned);
        while (m.find()) {
            byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
            StringBuilder mapped = new StringBuilder(bytes.length);
            for (byte b : bytes) mapped.append(BYTE_TO_CHAR[b & 0xff]);
            for (String piece : bpe(mapped.toString()).split(" ")) {
                Integer id = vocab.get(piece);
                ids.add(id != null ? id : unkId);
            }
        }
    }

    /**
     * transformers' BasicTokenizer as CLIP configures it (no accent stripping, no punctuation split),
     * followed by a lowercase: drop NUL, U+FFFD and control characters, turn whitespace into spaces,
     * space out CJK ideographs, NFC, split on whitespace, lowercase, join with single spaces.
     */
    static String clean(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) return;
            if (isBasicWhitespace(cp)) {
                sb.append(' ');
            } else if (isCjk(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(sb, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(normalized.length());
        StringBuilder word = new StringBuilder();
        for (int i = 0; i <= normalized.length(); ) {
            int cp = i < normalized.length() ? normalized.codePointAt(i) : ' ';
            if (isPythonSpace(cp)) {
                if (word.length() > 0) {
                    if (out.length() > 0) out.append(' ');
                    out.append(word.toString().toLowerCase(Locale.ROOT));
                    word.setLength(0);
                }
            } else {
                word.appendCodePoint(cp);
            }
            i += i < normalized.length() ? Character.charCount(cp) : 1;
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean isBasicWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') return false;
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.SURROGATE || type == Character.UNASSIGNED;
    }

    /** What Python's {@code str.split()} treats as whitespace. */
    private static boolean isPythonSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85 || (cp >= 0x1c && cp <= 0x1f);
    }

    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Byte-pair merges of one pre-token, lowest rank first; returns the symbols joined by spaces. */
    String bpe(String token) {
        String cached = bpeCache.get(token);
        if (cached != null) return cached;
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length(); i++) word.add(String.valueOf(token.charAt(i)));
        int last = word.size() - 1;
        word.set(last, word.get(last) + END_OF_WORD);
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = mergeRanks.get(pairKey(word.get(i), word.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) break;
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String result = String.join(" ", word);
        if (bpeCache.size() < 100_000) bpeCache.put(token, result);
        return result;
    }

    private int requireToken(String token, String role) {
        Integer id = vocab.get(token);
        if (id == null) throw new IllegalArgumentException(role + " '" + token + "' is not in the vocabulary");
        return id;
    }

    private static String pairKey(String a, String b) {
        return a + '\u0000' + b;
    }

    /** GPT-2's reversible map from bytes to printable unicode characters. */
    private static char[] byteToUnicode() {
        char[] map = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable[b] ? (char) b : (char) (256 + next++);
        }
        return map;
    }

    private static JsonNode readJson(ObjectMapper json, Path file) throws IOException {
        try {
            return json.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.FileNotFoundException e) {
            throw new NoSuchFileException(file.toString());
        }
    }

    private static JsonNode optionalJson(ObjectMapper json, Path file) throws IOException {
        return Files.exists(file) ? readJson(json, file) : json.createObjectNode();
    }

    /** A special token from tokenizer_config or special_tokens_map, written as a string or as {"content": ...}. */
    private static String special(JsonNode config, JsonNode map, String key, String fallback) {
        for (JsonNode source : new JsonNode[] {config, map}) {
            JsonNode node = source.get(key);
            if (node == null || node.isNull()) continue;
            if (node.isTextual()) return node.asText();
            if (node.has("content")) return node.get("content").asText();
        }
        return fallback;
    }
}
