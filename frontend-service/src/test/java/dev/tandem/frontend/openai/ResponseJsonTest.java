package dev.tandem.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseJsonTest {

    private static final Usage USAGE = Usage.of(5, 7, 2);

    @Test
    void chatChunksWithoutIncludeUsageHaveNoUsageKey() {
        assertEquals("""
                {"id":"chatcmpl-1","object":"chat.completion.chunk","created":42,"model":"m",\
                "choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                QuarkusLikeJson.write(ChatCompletionChunk.role("chatcmpl-1", 42, "m")));
        assertEquals("""
                {"id":"chatcmpl-1","object":"chat.completion.chunk","created":42,"model":"m",\
                "choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}""",
                QuarkusLikeJson.write(ChatCompletionChunk.content("chatcmpl-1", 42, "m", "Hi")));
        assertEquals("""
                {"id":"chatcmpl-1","object":"chat.completion.chunk","created":42,"model":"m",\
                "choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""",
                QuarkusLikeJson.write(ChatCompletionChunk.finish("chatcmpl-1", 42, "m", "stop")));
    }

    @Test
    void chatChunksWithIncludeUsageCarryNullUsageThenAUsageOnlyChunk() {
        JsonNode content = QuarkusLikeJson.tree(ChatCompletionChunk.content("c", 1, "m", "Hi").withNullUsage());
        assertTrue(content.has("usage"));
        assertTrue(content.get("usage").isNull());

        JsonNode finish = QuarkusLikeJson.tree(ChatCompletionChunk.finish("c", 1, "m", "length").withNullUsage());
        assertTrue(finish.get("usage").isNull());
        assertEquals("length", finish.at("/choices/0/finish_reason").asText());

        assertEquals("""
                {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],\
                "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12,\
                "prompt_tokens_details":{"cached_tokens":2}}}""",
                QuarkusLikeJson.write(ChatCompletionChunk.usage("c", 1, "m", USAGE)));
    }

    @Test
    void completionChunksMirrorChatChunks() {
        assertEquals("""
                {"id":"cmpl-1","object":"text_completion","created":3,"model":"m",\
                "choices":[{"index":0,"text":" there","logprobs":null,"finish_reason":null}]}""",
                QuarkusLikeJson.write(CompletionChunk.text("cmpl-1", 3, "m", " there")));
        JsonNode finish = QuarkusLikeJson.tree(CompletionChunk.finish("cmpl-1", 3, "m", "stop").withNullUsage());
        assertEquals("", finish.at("/choices/0/text").asText());
        assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
        assertTrue(finish.get("usage").isNull());
        JsonNode usage = QuarkusLikeJson.tree(CompletionChunk.usage("cmpl-1", 3, "m", USAGE));
        assertEquals(0, usage.get("choices").size());
        assertEquals(12, usage.at("/usage/total_tokens").asInt());
    }

    @Test
    void chatCompletionResponse() {
        assertEquals("""
                {"id":"chatcmpl-1","object":"chat.completion","created":9,"model":"m",\
                "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"logprobs":null,\
                "finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12,\
                "prompt_tokens_details":{"cached_tokens":2}}}""",
                QuarkusLikeJson.write(ChatCompletionResponse.of("chatcmpl-1", 9, "m", "Hello", "stop", USAGE)));
    }

    @Test
    void completionResponse() {
        assertEquals("""
                {"id":"cmpl-1","object":"text_completion","created":9,"model":"m",\
                "choices":[{"index":0,"text":", there was","logprobs":null,"finish_reason":"length"}],\
                "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12,\
                "prompt_tokens_details":{"cached_tokens":2}}}""",
                QuarkusLikeJson.write(CompletionResponse.of("cmpl-1", 9, "m", ", there was", "length", USAGE)));
    }

    @Test
    void modelList() {
        assertEquals("""
                {"object":"list","data":[{"id":"stories","object":"model","created":100,"owned_by":"tandem",\
                "context_window":512},{"id":"other","object":"model","created":100,"owned_by":"tandem"}]}""",
                QuarkusLikeJson.write(new ModelList(List.of(
                        new ModelCard("stories", 100, 512), new ModelCard("other", 100, null)))));
    }

    @Test
    void responsesReadBackWithAStrictMapper() throws Exception {
        ObjectMapper strict = new ObjectMapper().registerModule(new Jdk8Module());
        ChatCompletionResponse response = ChatCompletionResponse.of("c", 9, "m", "Hello", "stop", USAGE);
        assertEquals(response, strict.readValue(QuarkusLikeJson.write(response), ChatCompletionResponse.class));
        ChatCompletionChunk chunk = ChatCompletionChunk.content("c", 1, "m", "Hi").withNullUsage();
        assertEquals(chunk, strict.readValue(QuarkusLikeJson.write(chunk), ChatCompletionChunk.class));
        CompletionChunk last = CompletionChunk.usage("c", 1, "m", USAGE);
        assertEquals(last, strict.readValue(QuarkusLikeJson.write(last), CompletionChunk.class));
        ModelList models = new ModelList(List.of(new ModelCard("m", 1, 512)));
        assertEquals(models, strict.readValue(QuarkusLikeJson.write(models), ModelList.class));
    }

    @Test
    void idsHaveOpenAiPrefixesAndFreshRequestIdsAreUnique() {
        String requestId = ResponseIds.newRequestId();
        assertTrue(requestId.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"), requestId);
        assertEquals("chatcmpl-" + requestId, ResponseIds.chat(requestId));
        assertEquals("cmpl-" + requestId, ResponseIds.completion(requestId));
        assertFalse(requestId.equals(ResponseIds.newRequestId()));
    }
}
