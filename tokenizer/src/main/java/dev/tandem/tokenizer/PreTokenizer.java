package dev.tandem.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before byte-level BPE, as llama.cpp's unicode_regex_split: the regexes of
 * the vocabulary's {@code tokenizer.ggml.pre} type are applied in turn, each splitting every chunk
 * the previous ones produced into its matches and the gaps between them.
 *
 * <p>Regexes with Unicode categories ({@code \p{L}}...) run with Unicode semantics ({@code \s}
 * = White_Space), as llama.cpp's category-collapsing path does; the others with ASCII {@code \s},
 * as its std::wregex fallback does.
 */
final class PreTokenizer {

    private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    private static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String CJK = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";

    private final String type;
    private final List<Pattern> patterns;
    /** Whole words that are tokens skip the merges (llama.cpp's ignore_merges, Llama 3 style). */
    private final boolean ignoreMerges;

    private PreTokenizer(String type, boolean ignoreMerges, String... regexes) {
        this.type = type;
        this.ignoreMerges = ignoreMerges;
        this.patterns = new ArrayList<>();
        for (String r : regexes) {
            int flags = r.contains("\\p{") ? Pattern.UNICODE_CHARACTER_CLASS : 0;
            patterns.add(Pattern.compile(r, flags));
        }
    }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value (missing = "default"). */
    static PreTokenizer forType(String pre) {
        return switch (pre) {
            case "default" -> new PreTokenizer(pre, false,
                    "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2" ->
                    new PreTokenizer(pre, true, LLAMA3);
            case "dbrx", "smaug-bpe", "chatglm-bpe" -> new PreTokenizer(pre, false, LLAMA3);
            case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
                 "jina-v1-en", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais", "trillion", "granite-docling" ->
                    new PreTokenizer(pre, false, GPT2);
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b" ->
                    new PreTokenizer(pre, false, "\\p{N}", GPT2);
            case "falcon" -> new PreTokenizer(pre, false, "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
            case "qwen2", "deepseek-r1-qwen", "megrez", "stablelm2", "hunyuan" -> new PreTokenizer(pre, false, QWEN2);
            case "deepseek-coder" -> new PreTokenizer(pre, false, "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK, "\\p{N}");
            case "deepseek-llm" -> new PreTokenizer(pre, false, "[\r\n]",
                    // The letter ranges of DeepSeek's tokenizer.json, escaped: literal text would be at the
                    // mercy of Unicode normalisation (several of these code points have canonical singletons).
                    "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}"
                            + "\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}"
                            + "\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}"
                            + "\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}"
                            + "\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}"
                            + "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}"
                            + "\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}"
                            + "\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}"
                            + "\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}"
                            + "\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}"
                            + "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}"
                            + "\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}"
                            + "\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}"
                            + "\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
                            + "\\x{1E900}-\\x{1E943}]+",
                    "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
                    "\\s+\\z", // std::regex '$' is the end of the chunk only; Java's would also match before a final \n
                    CJK, "\\p{N}+");
            default -> throw new UnsupportedTokenizerException("BPE pre-tokenizer '" + pre + "' not supported yet");
        };
    }

    String type() {
        return type;
    }

    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** The words of {@code text}, in order; their concatenation is the text. */
    List<String> split(String text) {
        List<String> chunks = List.of(text);
        for (Pattern p : patterns) {
            List<String> next = new ArrayList<>(chunks.size() * 2);
            for (String chunk : chunks) {
                Matcher m = p.matcher(chunk);
                int last = 0;
                while (m.find()) {
                    if (m.end() == m.start()) {
                        continue;
                    }
                    if (m.start() > last) {
                        next.add(chunk.substring(last, m.start()));
                    }
                    next.add(m.group());
                    last = m.end();
                }
                if (last < chunk.length()) {
                    next.add(chunk.substring(last));
                }
            }
            chunks = next;
        }
        return chunks;
    }
}
