package dev.tandem.frontend.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;

/**
 * A chat message's {@code content}: either a string or an array of content parts, of which we
 * support only {@code {"type":"text","text":…}}; the texts are concatenated as they are.
 */
@RegisterForReflection
public final class MessageContentDeserializer extends StdDeserializer<String> {

    public MessageContentDeserializer() {
        super(String.class);
    }

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> parser.getText();
            case START_ARRAY -> concatenateTextParts(parser, context);
            default -> throw new InvalidFieldException(parser, "expected a string or an array of content parts");
        };
    }

    private static String concatenateTextParts(JsonParser parser, DeserializationContext context)
            throws IOException {
        StringBuilder text = new StringBuilder();
        for (int index = 0; parser.nextToken() != JsonToken.END_ARRAY; index++) {
            JsonNode part = context.readTree(parser);
            String type = part.path("type").isTextual() ? part.path("type").textValue() : null;
            if (!"text".equals(type)) {
                throw new InvalidFieldException(parser, "content part " + index + " has type '" + type
                        + "'; only parts of type 'text' are supported");
            }
            JsonNode partText = part.path("text");
            if (!partText.isTextual()) {
                throw new InvalidFieldException(parser, "content part " + index + " needs a string 'text'");
            }
            text.append(partText.textValue());
        }
        return text.toString();
    }
}
