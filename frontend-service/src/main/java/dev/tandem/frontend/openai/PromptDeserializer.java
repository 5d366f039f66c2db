package dev.tandem.frontend.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.util.List;

/**
 * A completion's {@code prompt}: a string, or an array holding exactly one string. Batches of
 * prompts and token-id prompts are OpenAI features we do not serve.
 */
@RegisterForReflection
public final class PromptDeserializer extends StdDeserializer<String> {

    public PromptDeserializer() {
        super(String.class);
    }

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        List<String> prompts = StringListDeserializer.readStrings(parser);
        if (prompts.size() != 1) {
            throw new InvalidFieldException(parser, "expected a string or an array of exactly one string; got "
                    + prompts.size() + " prompts, and batched prompts are not supported");
        }
        return prompts.getFirst();
    }
}
