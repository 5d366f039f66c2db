package dev.tandem.frontend.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tandem.frontend.generation.TextDelta;
import dev.tandem.frontend.openai.Logprobs;
import dev.tandem.protocol.grpc.TokenLogprob;
import dev.tandem.protocol.grpc.TopLogprob;
import dev.tandem.tokenizer.Tokenizer;

/**
 * From the workers' per-token logprobs (token ids) to OpenAI's shapes. A token's text is its own bytes decoded as
 * UTF-8 (a token holding part of a character shows U+FFFD; chat's {@code bytes} keep the exact bytes); a control
 * token, which adds no bytes to the output, shows its vocabulary text (e.g. {@code </s>}).
 */
final class LogprobsMapping {

    private final Tokenizer tokenizer;

    LogprobsMapping(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Chat's shape; null when the tokens carry no logprobs. */
    Logprobs.Chat chat(List<TextDelta.Token> tokens) {
        List<Logprobs.ChatToken> content = new ArrayList<>(tokens.size());
        for (TextDelta.Token token : tokens) {
            TokenLogprob logprob = token.logprob();
            if (logprob == null) {
                continue;
            }
            List<Logprobs.ChatTop> top = new ArrayList<>(logprob.getTopCount());
            for (TopLogprob entry : logprob.getTopList()) {
                top.add(new Logprobs.ChatTop(text(entry.getTokenId()), entry.getLogprob(), bytes(entry.getTokenId())));
            }
            content.add(new Logprobs.ChatToken(text(token.id()), logprob.getLogprob(), bytes(token.id()), top));
        }
        return content.isEmpty() ? null : new Logprobs.Chat(content);
    }

    /**
     * The legacy completions shape; null when the tokens carry no logprobs.
     *
     * @param offset characters of the choice's text before these tokens ({@code text_offset} of the first)
     */
    Logprobs.Completion completion(List<TextDelta.Token> tokens, int offset) {
        List<String> texts = new ArrayList<>();
        List<Double> logprobs = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (TextDelta.Token token : tokens) {
            TokenLogprob logprob = token.logprob();
            if (logprob == null) {
                continue;
            }
            String text = text(token.id());
            texts.add(text);
            logprobs.add((double) logprob.getLogprob());
            Map<String, Double> top = new LinkedHashMap<>();
            for (TopLogprob entry : logprob.getTopList()) {
                top.putIfAbsent(text(entry.getTokenId()), (double) entry.getLogprob()); // two tokens, one text: the likelier
            }
            tops.add(top);
            offsets.add(offset);
            offset += text.length();
        }
        return texts.isEmpty() ? null : new Logprobs.Completion(texts, logprobs, tops, offsets);
    }

    /** Characters the tokens add to {@code text_offset}, as {@link #completion} counts them. */
    int length(List<TextDelta.Token> tokens) {
        int length = 0;
        for (TextDelta.Token token : tokens) {
            if (token.logprob() != null) {
                length += text(token.id()).length();
            }
        }
        return length;
    }

    private String text(int id) {
        byte[] bytes = tokenizer.tokenBytes(id);
        return bytes.length == 0 ? tokenizer.tokenText(id) : new String(bytes, StandardCharsets.UTF_8);
    }

    private List<Integer> bytes(int id) {
        byte[] bytes = tokenizer.tokenBytes(id);
        List<Integer> out = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            out.add(b & 0xFF);
        }
        return out;
    }
}
