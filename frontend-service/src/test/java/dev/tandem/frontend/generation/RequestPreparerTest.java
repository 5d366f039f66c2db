package dev.tandem.frontend.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.frontend.model.ServedModel;
import dev.tandem.frontend.openai.ChatMessage;
import dev.tandem.frontend.openai.GenerationOptions;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.model.SyntheticModel;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

/** From validated options to what the workers run, on the built-in synthetic model (context 2048, byte tokens). */
class RequestPreparerTest {

    private static final FrontendConfig CONFIG = new SmallRyeConfigBuilder()
            .withConverter(Duration.class, 100, new DurationConverter()).withMapping(FrontendConfig.class).build()
            .getConfigMapping(FrontendConfig.class);
    private final RequestPreparer preparer = new RequestPreparer(new ServedModel(CONFIG));
    private final Heard heard = new Heard();

    /** Records what the preparer tells the request's listener. */
    private static final class Heard implements RequestListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void templated(long nanos) {
            events.add("templated");
        }

        @Override
        public void prepared(int promptTokens, long tokenizeNanos) {
            events.add("prepared " + promptTokens);
        }
    }

    private static GenerationOptions options(String model, Integer maxTokens, Map<Integer, Float> logitBias) {
        return new GenerationOptions(model, false, false, maxTokens, 0f, 1f, 0, 0f, 7L, false, List.of(), 1f, 0f, 0f,
                logitBias);
    }

    @Test
    void aCompletionPromptIsTokenizedWithBosAndCarriesItsSampling() {
        PreparedRequest request = preparer.completion("r1", options(SyntheticModel.NAME, 5, Map.of()), "hi", heard);
        assertArrayEquals(new int[] {1, 'h' + 3, 'i' + 3}, request.promptTokens());
        assertEquals(5, request.sampling().getMaxTokens());
        assertEquals(7L, request.sampling().getSeed());
        assertEquals(List.of("prepared 3"), heard.events);
    }

    @Test
    void aChatIsRenderedThenTokenized() {
        PreparedRequest request = preparer.chat("r2", options(SyntheticModel.NAME, null, Map.of()),
                List.of(new ChatMessage("user", "hi")), heard);
        assertEquals(List.of("templated", "prepared " + request.promptTokens().length), heard.events);
        assertEquals(SyntheticModel.CONTEXT_LENGTH - request.promptTokens().length, request.sampling().getMaxTokens(),
                "without max_tokens the rest of the context");
    }

    @Test
    void refusals() {
        OpenAiException wrongModel = assertThrows(OpenAiException.class,
                () -> preparer.completion("r3", options("other", 5, Map.of()), "hi", heard));
        assertTrue(wrongModel.getMessage().contains("does not exist"), wrongModel.getMessage());
        OpenAiException tooLong = assertThrows(OpenAiException.class,
                () -> preparer.completion("r4", options(SyntheticModel.NAME, SyntheticModel.CONTEXT_LENGTH, Map.of()), "hi", heard));
        assertEquals(400, tooLong.status());
        assertTrue(tooLong.getMessage().contains("maximum context length is 2048"), tooLong.getMessage());
        OpenAiException bias = assertThrows(OpenAiException.class,
                () -> preparer.completion("r5", options(SyntheticModel.NAME, 5, Map.of(SyntheticModel.VOCAB_SIZE, 1f)), "hi", heard));
        assertTrue(bias.getMessage().contains("outside the model's vocabulary"), bias.getMessage());
    }
}
