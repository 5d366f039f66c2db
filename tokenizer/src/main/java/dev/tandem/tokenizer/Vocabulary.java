package dev.tandem.tokenizer;

import dev.tandem.gguf.GgufMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code tokenizer.*} metadata of a GGUF file: token texts, scores, types, special ids and
 * flags, plus the lookups every tokenizer model needs.
 */
public final class Vocabulary {

    /** Texts llama.cpp also treats as end-of-generation when such a special token exists. */
    private static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>",
            "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>");

    private final String model;
    private final String pre;
    /** BPE merge ranks by "left right" (byte-level vocabularies only). */
    private final Map<String, Integer> mergeRanks;
    private final String[] tokens;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> idByText;
    private final OptionalInt bos;
    private final OptionalInt eos;
    private final OptionalInt unk;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final BitSet endOfGeneration;
    private final int[] specialsLongestFirst;
    private final Optional<String> chatTemplate;

    private Vocabulary(GgufMetadata md) {
        this.model = md.getString("tokenizer.ggml.model").orElseThrow(
                () -> new IllegalArgumentException("GGUF has no tokenizer (tokenizer.ggml.model missing)"));
        this.tokens = md.getStringArray("tokenizer.ggml.tokens").orElseThrow(
                () -> new IllegalArgumentException("GGUF has no token list (tokenizer.ggml.tokens missing)"));
        int n = tokens.length;
        this.scores = md.getFloatArray("tokenizer.ggml.scores").orElse(new float[n]);
        int[] typeIds = md.getIntArray("tokenizer.ggml.token_type").orElse(null);
        if (scores.length != n || (typeIds != null && typeIds.length != n)) {
            throw new IllegalArgumentException("tokenizer.ggml.scores/token_type lengths do not match the " + n + " tokens");
        }
        this.types = new TokenType[n];
        for (int i = 0; i < n; i++) {
            types[i] = typeIds == null ? TokenType.NORMAL : TokenType.fromId(typeIds[i]);
        }
        // Later duplicates win, like llama.cpp's token_to_id map.
        this.idByText = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            idByText.put(tokens[i], i);
        }
        this.pre = md.getString("tokenizer.ggml.pre").filter(p -> !p.isEmpty()).orElse("default");
        String[] merges = md.getStringArray("tokenizer.ggml.merges").orElse(new String[0]);
        this.mergeRanks = new HashMap<>(merges.length * 2);
        for (int i = 0; i < merges.length; i++) {
            mergeRanks.putIfAbsent(merges[i], i);
        }
        boolean spm = model.equals("llama");
        this.bos = validId(md, "tokenizer.ggml.bos_token_id", spm ? OptionalInt.of(1) : OptionalInt.empty());
        this.eos = validId(md, "tokenizer.ggml.eos_token_id", spm ? OptionalInt.of(2) : OptionalInt.empty());
        this.unk = validId(md, "tokenizer.ggml.unknown_token_id", spm ? OptionalInt.of(0) : OptionalInt.empty());
        // llama.cpp's defaults: SentencePiece adds BOS, so do the Llama 3 and Tekken BPE vocabularies.
        boolean bosByDefault = spm || List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral",
                "midm-2.0", "lfm2", "tekken").contains(pre);
        this.addBos = md.getBoolean("tokenizer.ggml.add_bos_token", bosByDefault) && bos.isPresent();
        this.addEos = md.getBoolean("tokenizer.ggml.add_eos_token", false) && eos.isPresent();
        this.addSpacePrefix = md.getBoolean("tokenizer.ggml.add_space_prefix", spm);
        this.chatTemplate = md.getString("tokenizer.chat_template");

        this.endOfGeneration = new BitSet(n);
        eos.ifPresent(endOfGeneration::set);
        validId(md, "tokenizer.ggml.eot_token_id", OptionalInt.empty()).ifPresent(endOfGeneration::set);
        validId(md, "tokenizer.ggml.eom_token_id", OptionalInt.empty()).ifPresent(endOfGeneration::set);
        for (String text : EOG_TEXTS) {
            Integer id = idByText.get(text);
            if (id != null && (types[id] == TokenType.CONTROL || types[id] == TokenType.USER_DEFINED)) {
                endOfGeneration.set(id);
            }
        }

        // Longest first so that e.g. "<|im_start|>" wins over a shorter token that is its prefix;
        // ties by id to be deterministic (llama.cpp's std::sort leaves them unspecified).
        List<Integer> specials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (types[i].isSpecial() && !tokens[i].isEmpty()) {
                specials.add(i);
            }
        }
        specials.sort(Comparator.<Integer>comparingInt(i -> -tokens[i].length()).thenComparingInt(i -> i));
        this.specialsLongestFirst = specials.stream().mapToInt(Integer::intValue).toArray();
    }

    public static Vocabulary fromMetadata(GgufMetadata metadata) {
        return new Vocabulary(metadata);
    }

    private OptionalInt validId(GgufMetadata md, String key, OptionalInt fallback) {
        OptionalInt id = md.contains(key) ? OptionalInt.of(md.getInt(key)) : fallback;
        if (id.isPresent() && (id.getAsInt() < 0 || id.getAsInt() >= tokens.length)) {
            return OptionalInt.empty();
        }
        return id;
    }

    /** {@code tokenizer.ggml.pre}, "default" when absent. */
    public String pre() {
        return pre;
    }

    /** Rank of the BPE merge of {@code left} and {@code right} (lower merges first), or -1. */
    public int mergeRank(String left, String right) {
        Integer rank = mergeRanks.get(left + " " + right);
        return rank == null ? -1 : rank;
    }

    /** {@code tokenizer.ggml.model}: "llama" (SentencePiece), "gpt2" (byte-level BPE), ... */
    public String model() {
        return model;
    }

    public int size() {
        return tokens.length;
    }

    public String text(int id) {
        return tokens[id];
    }

    public float score(int id) {
        return scores[id];
    }

    public TokenType type(int id) {
        return types[id];
    }

    /** The id of a token with exactly this text, or -1. */
    public int idOf(String text) {
        Integer id = idByText.get(text);
        return id == null ? -1 : id;
    }

    public OptionalInt bos() {
        return bos;
    }

    public OptionalInt eos() {
        return eos;
    }

    public OptionalInt unk() {
        return unk;
    }

    public boolean addBos() {
        return addBos;
    }

    public boolean addEos() {
        return addEos;
    }

    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    public boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    public Optional<String> chatTemplate() {
        return chatTemplate;
    }

    /** Ids of control, user-defined and unknown tokens, longest text first. */
    int[] specialsLongestFirst() {
        return specialsLongestFirst;
    }

    @Override
    public String toString() {
        return "Vocabulary[" + model + ", " + tokens.length + " tokens, specials " + Arrays.toString(
                Arrays.copyOf(specialsLongestFirst, Math.min(8, specialsLongestFirst.length))) + "]";
    }
}
