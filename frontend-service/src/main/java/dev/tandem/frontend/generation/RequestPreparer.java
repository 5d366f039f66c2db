package dev.tandem.frontend.generation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tandem.chattemplate.Json;
import dev.tandem.frontend.chat.ChatTemplate;
import dev.tandem.frontend.model.ServedModel;
import dev.tandem.frontend.openai.ChatMessage;
import dev.tandem.frontend.openai.GenerationOptions;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.tokenizer.Tokenizer;
import dev.tandem.protocol.grpc.SamplingParams;

/**
 * From validated options to what the workers run: the prompt rendered and tokenized here (workers see token
 * ids only), and the token budget checked against the model's context.
 */
@ApplicationScoped
public class RequestPreparer {

    private final ServedModel model;
    private final ChatTemplate chatTemplate;

    public RequestPreparer(ServedModel model) {
        this.model = model;
        this.chatTemplate = ChatTemplate.of(model.tokenizer());
    }

    public PreparedRequest chat(String requestId, GenerationOptions options, List<ChatMessage> messages,
            RequestListener listener) {
        return chat(requestId, options, messages, null, listener);
    }

    /** @param tools the offered tools (OpenAI's function format) for the chat template; null when none */
    public PreparedRequest chat(String requestId, GenerationOptions options, List<ChatMessage> messages,
            List<JsonNode> tools, RequestListener listener) {
        checkModel(options);
        long renderStart = System.nanoTime();
        String rendered = chatTemplate.render(messages, tools == null ? null
                : tools.stream().map(Json::fromJackson).toList(), true);
        listener.templated(System.nanoTime() - renderStart);
        return prepare(requestId, options, tokenize(() -> encodeChat(rendered, null), listener), "messages");
    }

    /** A rendered chat prompt's ids; {@code addSpecial} null: BOS unless the template wrote it. */
    private int[] encodeChat(String rendered, Boolean addSpecial) {
        // A template that writes BOS itself must not get a second one from the tokenizer.
        Tokenizer tokenizer = model.tokenizer();
        boolean add = addSpecial != null ? addSpecial
                : tokenizer.bosText().isEmpty() || !rendered.startsWith(tokenizer.bosText());
        return tokenizer.encode(rendered, add, true);
    }

    /**
     * For {@code POST /tokenize}: the ids {@link #chat} sends the workers for these messages (with
     * {@code addGenerationPrompt} true and {@code addSpecialTokens} null).
     *
     * @param requestedModel null: the served model
     * @param addSpecialTokens null: BOS unless the template wrote it, as {@link #chat} does
     */
    public int[] tokenizeChat(String requestedModel, List<ChatMessage> messages, boolean addGenerationPrompt,
            Boolean addSpecialTokens) {
        checkOptionalModel(requestedModel);
        return encodeChat(chatTemplate.render(messages, addGenerationPrompt), addSpecialTokens);
    }

    /** For {@code POST /tokenize}: the ids {@link #completion} sends the workers for this prompt (BOS added). */
    public int[] tokenizePrompt(String requestedModel, String prompt, boolean addSpecialTokens) {
        checkOptionalModel(requestedModel);
        return model.tokenizer().encode(prompt, addSpecialTokens, true);
    }

    /** For {@code POST /detokenize}: the text of these ids (control tokens such as BOS and EOS write nothing). */
    public String detokenize(String requestedModel, List<Integer> tokens) {
        checkOptionalModel(requestedModel);
        Tokenizer tokenizer = model.tokenizer();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i);
            if (ids[i] < 0 || ids[i] >= tokenizer.vocabSize()) {
                throw OpenAiException.badRequest("tokens", "tokens[" + i + "] = " + ids[i]
                        + " is not a token id: the model's vocabulary has ids 0 to " + (tokenizer.vocabSize() - 1));
            }
        }
        return new String(tokenizer.decodeBytes(ids), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The served model's context length in tokens. */
    public int contextLength() {
        return model.config().contextLength();
    }

    private void checkOptionalModel(String requested) {
        if (requested != null) {
            checkModel(requested);
        }
    }

    /**
     * The prompt the model's chat template renders for these messages (JSON values, every field kept) and tools
     * (null: none offered), for {@code POST /apply-template}; no tokenizing, no inference.
     */
    public String applyTemplate(String requestedModel, List<Map<String, Object>> messages, List<?> tools,
            boolean addGenerationPrompt) {
        if (requestedModel == null || requestedModel.isBlank()) {
            throw OpenAiException.badRequest("model", "You must provide a model parameter");
        }
        checkModel(requestedModel);
        return chatTemplate.renderMessages(messages, tools, addGenerationPrompt);
    }

    public PreparedRequest completion(String requestId, GenerationOptions options, String prompt, RequestListener listener) {
        checkModel(options);
        return prepare(requestId, options, tokenize(() -> model.tokenizer().encode(prompt, true, true), listener), "prompt");
    }

    private static int[] tokenize(java.util.function.Supplier<int[]> encode, RequestListener listener) {
        long start = System.nanoTime();
        int[] tokens = encode.get();
        listener.prepared(tokens.length, System.nanoTime() - start);
        return tokens;
    }

    private void checkModel(GenerationOptions options) {
        checkModel(options.model());
    }

    private void checkModel(String requested) {
        if (!model.name().equals(requested)) {
            throw OpenAiException.badRequest("model", "The model `" + requested + "` does not exist; this server serves `"
                    + model.name() + "`.");
        }
    }

    private PreparedRequest prepare(String requestId, GenerationOptions options, int[] prompt, String promptParam) {
        int context = model.config().contextLength();
        if (prompt.length == 0) {
            throw OpenAiException.badRequest(promptParam, "The prompt is empty.");
        }
        if (prompt.length >= context) {
            throw OpenAiException.badRequest(promptParam, "This model's maximum context length is " + context
                    + " tokens. However, your prompt has " + prompt.length + " tokens.");
        }
        int vocabulary = model.config().vocabSize();
        options.logitBias().keySet().stream().filter(id -> id >= vocabulary).findFirst().ifPresent(id -> {
            throw OpenAiException.badRequest("logit_bias", "'logit_bias' names token " + id
                    + ", outside the model's vocabulary of " + vocabulary);
        });
        int maxTokens = options.maxTokens() != null ? options.maxTokens() : context - prompt.length;
        if (prompt.length + maxTokens > context) {
            throw OpenAiException.badRequest("max_tokens", "This model's maximum context length is " + context
                    + " tokens. However, you requested " + (prompt.length + maxTokens) + " tokens (" + prompt.length
                    + " in the prompt, " + maxTokens + " for the completion). Please reduce the prompt or max_tokens.");
        }
        SamplingParams.Builder sampling = SamplingParams.newBuilder()
                .setTemperature(options.temperature())
                .setTopP(options.topP())
                .setTopK(options.topK())
                .setMinP(options.minP())
                // one seed for the whole request, so prefill and decode workers draw from one random sequence
                .setSeed(options.seed() != null ? options.seed() : ThreadLocalRandom.current().nextLong())
                .setMaxTokens(maxTokens)
                .setIgnoreEos(options.ignoreEos())
                .setRepetitionPenalty(options.repetitionPenalty())
                .setFrequencyPenalty(options.frequencyPenalty())
                .setPresencePenalty(options.presencePenalty())
                .putAllLogitBias(options.logitBias())
                .setJsonSchema(options.jsonSchema() == null ? "" : options.jsonSchema());
        if (options.logprobs() != null) {
            sampling.setTopLogprobs(options.logprobs());
        }
        return new PreparedRequest(requestId, model.name(), prompt, sampling.build(), options.stop(), options.stream(),
                options.includeUsage(), options.logprobs(), options.n());
    }
}
