package dev.tandem.tools.benchserve;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The prompts of a run, made of random common English words (about one token each for the usual 32k vocabularies):
 * {@code random} lengths spread uniformly over {@code input-len * (1 ± range-ratio)} words, {@code fixed} exactly
 * {@code input-len} words each, {@code shared-prefix} one {@code prefix-len}-word prefix common to every prompt
 * followed by {@code input-len} words of its own (what a prefix cache serves). Seeded: the same options give the same
 * prompts.
 */
final class Prompts {

    enum Kind {
        RANDOM, FIXED, SHARED_PREFIX;

        static Kind parse(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "random" -> RANDOM;
                case "fixed" -> FIXED;
                case "shared-prefix", "prefix" -> SHARED_PREFIX;
                default -> throw new IllegalArgumentException("--dataset is random, fixed or shared-prefix, not '" + value + "'");
            };
        }
    }

    private static final String[] WORDS = ("the of and to in is was he for it with as his on be at by had are but from or "
            + "they you an were her she there been one all we their has would when which said if do will each about how up "
            + "out them then many some so these would other into two more time could no way like long make thing see him "
            + "day most over did down only little just know take people year good some come over think back after use work "
            + "first well even new want because any give very our cat dog sun tree house river small big happy red blue "
            + "green bird fish ball book park walk play friend mother father girl boy girl night light water road town")
            .split(" ");

    private Prompts() {
    }

    static List<String> generate(Kind kind, int count, int inputLen, int prefixLen, double rangeRatio, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String prefix = kind == Kind.SHARED_PREFIX ? words(random, prefixLen) : "";
        List<String> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = inputLen;
            if (kind == Kind.RANDOM && rangeRatio > 0) {
                int low = Math.max(1, (int) Math.floor(inputLen * (1 - rangeRatio)));
                int high = Math.max(low, (int) Math.ceil(inputLen * (1 + rangeRatio)));
                length = random.nextInt(low, high + 1);
            }
            String own = words(random, length);
            prompts.add(prefix.isEmpty() ? own : prefix + " " + own);
        }
        return prompts;
    }

    private static String words(SplittableRandom random, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }
}
