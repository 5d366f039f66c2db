package dev.tandem.frontend.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A field OpenAI lets be a string or an array of strings ({@code stop}). Strictly strings: Jackson's
 * default would coerce numbers to text, which would silently turn a token-id array into words.
 */
@RegisterForReflection
public final class StringListDeserializer extends StdDeserializer<List<String>> {

    public StringListDeserializer() {
        super(List.class);
    }

    @Override
    public List<String> deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        return readStrings(parser);
    }

    static List<String> readStrings(JsonParser parser) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_STRING) {
            return List.of(parser.getText());
        }
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new InvalidFieldException(parser, "expected a string or an array of strings");
        }
        List<String> strings = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                throw new InvalidFieldException(parser, "expected a string or an array of strings");
            }
            strings.add(parser.getText());
        }
        return List.copyOf(strings);
    }
}
