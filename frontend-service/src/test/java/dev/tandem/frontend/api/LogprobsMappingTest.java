package dev.tandem.frontend.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tandem.frontend.generation.TextDelta;
import dev.tandem.model.SyntheticModel;
import dev.tandem.protocol.grpc.TokenLogprob;
import dev.tandem.protocol.grpc.TopLogprob;

/** The workers' token-id logprobs in OpenAI's chat and completions shapes, on the synthetic byte-level vocabulary. */
class LogprobsMappingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LogprobsMapping MAPPING = new LogprobsMapping(SyntheticModel.tokenizer());
    // the synthetic vocabulary: byte b is token 3 + b, 2 is EOS
    private static final int H = 3 + 'H';
    private static final int I = 3 + 'i';

    private static TextDelta.Token token(int id, float logprob, int... top) {
        TokenLogprob.Builder lp = TokenLogprob.newBuilder().setLogprob(logprob);
        for (int i = 0; i < top.length; i++) {
            lp.addTop(TopLogprob.newBuilder().setTokenId(top[i]).setLogprob(logprob - i));
        }
        return new TextDelta.Token(id, lp.build());
    }

    @Test
    void chatShape() throws Exception {
        var chat = MAPPING.chat(List.of(token(H, -0.5f, H, I), token(2, -1.5f, 2)));
        assertEquals("""
                {"content":[{"token":"H","logprob":-0.5,"bytes":[72],"top_logprobs":[{"token":"H","logprob":-0.5,"bytes":[72]},\
                {"token":"i","logprob":-1.5,"bytes":[105]}]},{"token":"</s>","logprob":-1.5,"bytes":[],"top_logprobs":\
                [{"token":"</s>","logprob":-1.5,"bytes":[]}]}]}""", JSON.writeValueAsString(chat));
    }

    @Test
    void completionShapeWithOffsets() throws Exception {
        var completion = MAPPING.completion(List.of(token(H, -0.25f, H, I), token(I, -2f, I)), 7);
        assertEquals("""
                {"tokens":["H","i"],"token_logprobs":[-0.25,-2.0],"top_logprobs":[{"H":-0.25,"i":-1.25},{"i":-2.0}],\
                "text_offset":[7,8]}""", JSON.writeValueAsString(completion));
        assertEquals(2, MAPPING.length(List.of(token(H, -0.25f), token(I, -2f))));
    }

    @Test
    void tokensWithoutLogprobsMapToNull() {
        assertNull(MAPPING.chat(List.of(new TextDelta.Token(H, null))));
        assertNull(MAPPING.completion(List.of(), 0));
    }

    @Test
    void choicesCarryIndexAndLogprobs() throws Exception {
        var chunk = ResponseShape.CHAT.choice("id", 1, "m", 2, "H", MAPPING.chat(List.of(token(H, -0.5f))), null);
        assertEquals("""
                {"id":"id","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":2,"delta":\
                {"content":"H"},"logprobs":{"content":[{"token":"H","logprob":-0.5,"bytes":[72],"top_logprobs":[]}]},\
                "finish_reason":null}]}""", JSON.writeValueAsString(chunk));
        var whole = ResponseShape.COMPLETION.whole("id", 1, "m", List.of(new ResponseShape.Choice(0, "a", "stop", null),
                new ResponseShape.Choice(1, "b", "length", null)), null);
        assertEquals("""
                {"id":"id","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":"a",\
                "logprobs":null,"finish_reason":"stop"},{"index":1,"text":"b","logprobs":null,"finish_reason":"length"}]}""",
                JSON.writeValueAsString(whole));
    }
}
