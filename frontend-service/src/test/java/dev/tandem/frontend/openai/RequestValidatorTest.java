package dev.tandem.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestValidatorTest {

    private static GenerationOptions chat(String json) throws Exception {
        return RequestValidator.validate(QuarkusLikeJson.read(json, ChatCompletionRequest.class));
    }

    private static GenerationOptions completion(String json) throws Exception {
        return RequestValidator.validate(QuarkusLikeJson.read(json, CompletionRequest.class));
    }

    private static OpenAiException rejectedChat(String json) {
        return assertThrows(OpenAiException.class, () -> chat(json));
    }

    private static void assertBadRequest(String param, OpenAiException error) {
        assertEquals(400, error.status());
        assertEquals("invalid_request_error", error.type());
        assertEquals(param, error.param(), error.getMessage());
    }

    @Test
    void appliesOpenAiDefaults() throws Exception {
        GenerationOptions options = chat("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(new GenerationOptions("m", false, false, null, 1.0f, 1.0f, 0, 0.0f, null, false, List.of(),
                1.0f, 0.0f, 0.0f, Map.of()),
                options);
    }

    @Test
    void readsEveryField() throws Exception {
        GenerationOptions options = chat("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"stream":true,
                 "stream_options":{"include_usage":true},"max_tokens":9,"temperature":0,"top_p":0.5,
                 "top_k":40,"min_p":0.05,"seed":7,"stop":"\\n","n":1,"ignore_eos":true}""");
        assertEquals(new GenerationOptions("m", true, true, 9, 0.0f, 0.5f, 40, 0.05f, 7L, true, List.of("\n"),
                1.0f, 0.0f, 0.0f, Map.of()),
                options);
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() throws Exception {
        assertEquals(5, chat("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"max_tokens":100,
                 "max_completion_tokens":5}""").maxTokens());
    }

    @Test
    void includeUsageNeedsItsFlag() throws Exception {
        assertFalse(chat("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"stream":true,
                 "stream_options":{}}""").includeUsage());
    }

    @Test
    void missingBody() {
        assertBadRequest(null, assertThrows(OpenAiException.class,
                () -> RequestValidator.validate((ChatCompletionRequest) null)));
        assertBadRequest(null, assertThrows(OpenAiException.class,
                () -> RequestValidator.validate((CompletionRequest) null)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "model | {\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
        "model | {\"model\":\" \",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
        "messages | {\"model\":\"m\"}",
        "messages | {\"model\":\"m\",\"messages\":[]}",
        "messages[1].role | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"function\",\"content\":\"b\"}]}",
        "messages[0].role | {\"model\":\"m\",\"messages\":[{\"content\":\"a\"}]}",
        "messages[0].content | {\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}",
        "max_tokens | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":0}",
        "max_completion_tokens | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_completion_tokens\":-3}",
        "temperature | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"temperature\":2.01}",
        "temperature | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"temperature\":-0.1}",
        "top_p | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"top_p\":0}",
        "top_p | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"top_p\":1.5}",
        "top_k | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"top_k\":-2}",
        "min_p | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"min_p\":1.1}",
        "n | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"n\":129}",
        "n | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"n\":0}",
        "stream_options | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"stream_options\":{\"include_usage\":true}}",
        "stream_options | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"stream\":false,\"stream_options\":{}}",
        "stop | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"stop\":[\"x\",\"\"]}",
        "stop | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"stop\":\"\"}",
    })
    void rejectsChatRequest(String param, String json) {
        assertBadRequest(param, rejectedChat(json));
    }

    @Test
    void rejectsMoreThan32StopStrings() {
        String stops = String.join(",", Collections.nCopies(33, "\"x\""));
        OpenAiException error = rejectedChat("""
                {"model":"m","messages":[{"role":"user","content":"a"}],"stop":[%s]}""".formatted(stops));
        assertBadRequest("stop", error);
        assertTrue(error.getMessage().contains("32"), error.getMessage());
    }

    @Test
    void nAbove128IsRefused() {
        OpenAiException error = rejectedChat("""
                {"model":"m","messages":[{"role":"user","content":"a"}],"n":129}""");
        assertTrue(error.getMessage().contains("between 1 and 128"), error.getMessage());
    }

    @Test
    void acceptsTheBoundaries() throws Exception {
        GenerationOptions options = chat("""
                {"model":"m","messages":[{"role":"user","content":"a"}],"temperature":2,"top_p":1,"min_p":1,
                 "top_k":-1,"max_tokens":1}""");
        assertEquals(2.0f, options.temperature());
        assertEquals(0, options.topK());
        assertEquals(1, options.maxTokens());
        assertEquals(32, chat("""
                {"model":"m","messages":[{"role":"user","content":"a"}],"stop":[%s]}"""
                .formatted(String.join(",", Collections.nCopies(32, "\"x\"")))).stop().size());
    }

    @Test
    void acceptsEveryRoleWeRenderAndAnAssistantWithoutContent() throws Exception {
        chat("""
                {"model":"m","messages":[{"role":"system","content":"s"},{"role":"developer","content":"d"},
                 {"role":"user","content":"u"},{"role":"assistant","content":null},{"role":"user","content":"v"}]}""");
    }

    @Test
    void completionRequest() throws Exception {
        GenerationOptions options = completion("""
                {"model":"m","prompt":"Once upon a time","max_tokens":24,"temperature":0}""");
        assertEquals(24, options.maxTokens());
        assertEquals(0.0f, options.temperature());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "model | {\"prompt\":\"x\"}",
        "prompt | {\"model\":\"m\"}",
        "prompt | {\"model\":\"m\",\"prompt\":\"\"}",
        "max_tokens | {\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":0}",
        "n | {\"model\":\"m\",\"prompt\":\"x\",\"n\":129}",
        "stream_options | {\"model\":\"m\",\"prompt\":\"x\",\"stream_options\":{\"include_usage\":true}}",
    })
    void rejectsCompletionRequest(String param, String json) {
        assertBadRequest(param, assertThrows(OpenAiException.class, () -> completion(json)));
    }

    @Test
    void completionWithoutStreamOptionsHasNoUsageChunk() throws Exception {
        GenerationOptions options = completion("""
                {"model":"m","prompt":"x","stream":true}""");
        assertTrue(options.stream());
        assertFalse(options.includeUsage());
        assertNull(options.seed());
    }

    @Test
    void penaltiesAndLogitBiasAreCarriedOver() throws Exception {
        GenerationOptions options = completion("{\"model\":\"m\",\"prompt\":\"p\",\"repetition_penalty\":1.2,"
                + "\"frequency_penalty\":-0.5,\"presence_penalty\":1.5,\"logit_bias\":{\"42\":-100,\" 7\":2.5}}");
        assertEquals(1.2f, options.repetitionPenalty());
        assertEquals(-0.5f, options.frequencyPenalty());
        assertEquals(1.5f, options.presencePenalty());
        assertEquals(Map.of(42, -100f, 7, 2.5f), options.logitBias());
    }

    @Test
    void penaltiesAndLogitBiasOutOfRangeAreRefused() {
        assertBadRequest("repetition_penalty", rejectedChat(chatWith("\"repetition_penalty\":0")));
        assertBadRequest("frequency_penalty", rejectedChat(chatWith("\"frequency_penalty\":2.5")));
        assertBadRequest("presence_penalty", rejectedChat(chatWith("\"presence_penalty\":-3")));
        assertBadRequest("logit_bias", rejectedChat(chatWith("\"logit_bias\":{\"hello\":1}")));
        assertBadRequest("logit_bias", rejectedChat(chatWith("\"logit_bias\":{\"3\":101}")));
    }

    private static String chatWith(String field) {
        return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + field + "}";
    }
}
