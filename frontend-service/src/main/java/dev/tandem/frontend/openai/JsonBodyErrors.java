package dev.tandem.frontend.openai;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.Collection;

/**
 * Turns Jackson's failures to read a request body into 400s a client can act on: the JSON path of
 * the bad field as {@code param}, and a message in JSON terms (Jackson's own messages name Java
 * classes and source positions).
 */
final class JsonBodyErrors {

    private JsonBodyErrors() {
    }

    static OpenAiException toBadRequest(JacksonException error) {
        // A syntax error inside a nested value reaches us wrapped, with the path where it happened.
        if (error.getCause() instanceof StreamReadException malformed) {
            return malformedJson(malformed);
        }
        return switch (error) {
            case InvalidFieldException invalid -> OpenAiException.badRequest(path(invalid),
                    "Invalid value for '" + path(invalid) + "': " + invalid.getOriginalMessage());
            case MismatchedInputException mismatch when mismatch.getPath().isEmpty() ->
                    OpenAiException.badRequest(null, "The request body must be a JSON object");
            case MismatchedInputException mismatch -> OpenAiException.badRequest(path(mismatch),
                    "Invalid type for '" + path(mismatch) + "': expected " + jsonType(mismatch.getTargetType()));
            case StreamReadException malformed -> malformedJson(malformed);
            case JsonMappingException mapping when !mapping.getPath().isEmpty() ->
                    OpenAiException.badRequest(path(mapping), "Invalid value for '" + path(mapping) + "'");
            default -> OpenAiException.badRequest(null, "Could not read the JSON body of the request");
        };
    }

    /** The field's JSON path, e.g. {@code messages[0].content}. */
    private static String path(JsonMappingException error) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference step : error.getPath()) {
            if (step.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(step.getFieldName());
            } else if (step.getIndex() >= 0) {
                path.append('[').append(step.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String jsonType(Class<?> javaType) {
        if (javaType == null) {
            return "a value of another type";
        }
        if (javaType == String.class || javaType == Character.class || javaType == char.class) {
            return "a string";
        }
        if (javaType == Boolean.class || javaType == boolean.class) {
            return "a boolean";
        }
        if (javaType == Integer.class || javaType == Long.class || javaType == Short.class
                || javaType == int.class || javaType == long.class || javaType == short.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(javaType) || javaType == double.class || javaType == float.class) {
            return "a number";
        }
        if (javaType.isArray() || Collection.class.isAssignableFrom(javaType)) {
            return "an array";
        }
        return "an object";
    }

    private static OpenAiException malformedJson(StreamReadException error) {
        JsonLocation location = error.getLocation();
        return OpenAiException.badRequest(null, "Could not parse the JSON body of the request"
                + (location == null || location.getLineNr() < 1
                        ? ""
                        : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")"));
    }
}
