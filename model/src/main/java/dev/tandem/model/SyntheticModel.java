package dev.tandem.model;

import dev.tandem.gguf.GgufMetadata;
import dev.tandem.tokenizer.ByteVocabulary;
import dev.tandem.tokenizer.Tokenizer;
import dev.tandem.tokenizer.Tokenizers;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in model used when no GGUF is configured: a small Llama with seeded random weights
 * (N(0,1)/√fan-in, norms near 1, made by the engine's {@code SyntheticWeights}) and a byte-level vocabulary,
 * built in memory in milliseconds.
 * Its text is meaningless but fully deterministic, so services and their tests run without a model
 * file.
 *
 * <p>The vocabulary is expressed as SentencePiece metadata so it goes through the same tokenizer
 * as real models: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens {@code <0x00>}..
 * {@code <0xFF>}, and '▁' (SentencePiece's escaped space, which decodes to ' '). Every character is
 * byte-fallback encoded, spaces become '▁'; no space prefix is added.
 */
public final class SyntheticModel {

    public static final String NAME = "tandem-synthetic-llama";
    public static final long SEED = 0x7A4D3E5EEDL;

    public static final int DIM = 64;
    public static final int LAYERS = 2;
    public static final int HEADS = 4;
    public static final int KV_HEADS = 2;
    public static final int HIDDEN_DIM = 172;
    public static final int CONTEXT_LENGTH = 2048;
    /** 3 specials + 256 bytes + '▁'. */
    public static final int VOCAB_SIZE = 260;

    private SyntheticModel() {
    }

    public static ModelConfig config() {
        return new ModelConfig(NAME, "llama", DIM, LAYERS, HEADS, KV_HEADS, HIDDEN_DIM, VOCAB_SIZE, CONTEXT_LENGTH,
                1e-5f, 10000f, DIM / HEADS);
    }

    /** GGUF-style metadata of the model (architecture keys and the tokenizer). */
    public static GgufMetadata metadata() {
        ByteVocabulary vocabulary = ByteVocabulary.of(VOCAB_SIZE);
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("general.architecture", "llama");
        md.put("general.name", NAME);
        md.put("llama.context_length", CONTEXT_LENGTH);
        md.put("llama.embedding_length", DIM);
        md.put("llama.block_count", LAYERS);
        md.put("llama.feed_forward_length", HIDDEN_DIM);
        md.put("llama.attention.head_count", HEADS);
        md.put("llama.attention.head_count_kv", KV_HEADS);
        md.put("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        md.put("llama.rope.freq_base", 10000f);
        md.put("tokenizer.ggml.model", "llama");
        md.put("tokenizer.ggml.tokens", vocabulary.tokens());
        md.put("tokenizer.ggml.scores", vocabulary.scores());
        md.put("tokenizer.ggml.token_type", vocabulary.types());
        md.put("tokenizer.ggml.unknown_token_id", 0);
        md.put("tokenizer.ggml.bos_token_id", 1);
        md.put("tokenizer.ggml.eos_token_id", 2);
        md.put("tokenizer.ggml.add_bos_token", true);
        md.put("tokenizer.ggml.add_eos_token", false);
        md.put("tokenizer.ggml.add_space_prefix", false);
        return GgufMetadata.of(md);
    }

    public static Tokenizer tokenizer() {
        return Tokenizers.fromMetadata(metadata());
    }
}
