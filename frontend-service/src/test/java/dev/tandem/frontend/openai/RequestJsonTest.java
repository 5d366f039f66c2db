package dev.tandem.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading request bodies, and the 400 each unreadable one becomes. */
class RequestJsonTest {

    private static OpenAiException unreadable(String json, Class<?> type) {
        JacksonException error = assertThrows(JacksonException.class, () -> QuarkusLikeJson.read(json, type));
        OpenAiException badRequest = JsonBodyErrors.toBadRequest(error);
        assertEquals(400, badRequest.status());
        assertFalse(badRequest.getMessage().contains("java."), badRequest.getMessage());
        assertFalse(badRequest.getMessage().contains("dev.tandem"), badRequest.getMessage());
        return badRequest;
    }

    @Test
    void contentMayBeAnArrayOfTextParts() throws Exception {
        ChatCompletionRequest request = QuarkusLikeJson.read("""
                {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Hello, "},
                 {"type":"text","text":"world"}]}]}""", ChatCompletionRequest.class);
        assertEquals(List.of(new ChatMessage("user", "Hello, world")), request.messages());
    }

    @Test
    void nonTextContentPartsAreRejected() {
        OpenAiException error = unreadable("""
                {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},
                 {"type":"image_url","image_url":{"url":"http://x"}}]}]}""", ChatCompletionRequest.class);
        assertEquals("messages[0].content", error.param());
        assertEquals("Invalid value for 'messages[0].content': content part 1 has type 'image_url'; "
                + "only parts of type 'text' are supported", error.getMessage());
    }

    @Test
    void contentOfAnotherTypeIsRejected() {
        assertEquals("messages[1].content", unreadable("""
                {"messages":[{"role":"user","content":"a"},{"role":"user","content":5}]}""",
                ChatCompletionRequest.class).param());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        ChatCompletionRequest request = QuarkusLikeJson.read("""
                {"model":"m","messages":[{"role":"user","content":"a","name":"bob"}],"user":"u",
                 "logit_bias":{"1":2},"response_format":{"type":"text"}}""", ChatCompletionRequest.class);
        assertEquals("m", request.model());
    }

    @Test
    void promptMayBeAListOfOneString() throws Exception {
        assertEquals("Once", QuarkusLikeJson.read("""
                {"model":"m","prompt":["Once"]}""", CompletionRequest.class).prompt());
    }

    @Test
    void batchedOrTokenIdPromptsAreRejected() {
        OpenAiException batch = unreadable("""
                {"model":"m","prompt":["a","b"]}""", CompletionRequest.class);
        assertEquals("prompt", batch.param());
        assertTrue(batch.getMessage().contains("batched prompts are not supported"), batch.getMessage());
        assertEquals("prompt", unreadable("""
                {"model":"m","prompt":[1,2,3]}""", CompletionRequest.class).param());
        assertEquals("prompt", unreadable("""
                {"model":"m","prompt":{}}""", CompletionRequest.class).param());
    }

    @Test
    void stopMayBeAStringOrAList() throws Exception {
        assertEquals(List.of("\n"), QuarkusLikeJson.read("""
                {"stop":"\\n"}""", CompletionRequest.class).stop());
        assertEquals(List.of("a", "b"), QuarkusLikeJson.read("""
                {"stop":["a","b"]}""", ChatCompletionRequest.class).stop());
        assertEquals("stop", unreadable("""
                {"stop":["a",3]}""", ChatCompletionRequest.class).param());
    }

    @Test
    void wrongTypesNameTheFieldInJsonTerms() {
        OpenAiException maxTokens = unreadable("""
                {"model":"m","max_tokens":"many"}""", ChatCompletionRequest.class);
        assertEquals("max_tokens", maxTokens.param());
        assertEquals("Invalid type for 'max_tokens': expected an integer", maxTokens.getMessage());

        assertEquals("Invalid type for 'temperature': expected a number", unreadable("""
                {"temperature":"hot"}""", ChatCompletionRequest.class).getMessage());
        assertEquals("Invalid type for 'stream': expected a boolean", unreadable("""
                {"stream":{}}""", ChatCompletionRequest.class).getMessage());
        assertEquals("Invalid type for 'messages': expected an array", unreadable("""
                {"messages":{}}""", ChatCompletionRequest.class).getMessage());
        assertEquals("Invalid type for 'messages[0]': expected an object", unreadable("""
                {"messages":["hi"]}""", ChatCompletionRequest.class).getMessage());
        assertEquals("Invalid type for 'stream_options': expected an object", unreadable("""
                {"stream_options":[1]}""", ChatCompletionRequest.class).getMessage());
    }

    @Test
    void aBodyThatIsNotAnObject() {
        OpenAiException error = unreadable("[1,2]", ChatCompletionRequest.class);
        assertNull(error.param());
        assertEquals("The request body must be a JSON object", error.getMessage());
    }

    @Test
    void malformedJsonGivesItsPosition() {
        OpenAiException error = unreadable("{\"model\": \"m\",\n \"messages\": [}", ChatCompletionRequest.class);
        assertNull(error.param());
        assertTrue(error.getMessage().startsWith("Could not parse the JSON body of the request (line 2, column"),
                error.getMessage());
    }
}
