package dev.tandem.frontend.openai;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tandem.structured.SchemaCompiler;
import dev.tandem.structured.UnsupportedSchemaException;

/**
 * {@code response_format}: {@code {"type":"text"}} (the default), {@code {"type":"json_object"}} (any JSON object)
 * or {@code {"type":"json_schema","json_schema":{"name":..,"schema":{..},"strict":..}}}. Both JSON types are served
 * by constrained decoding on the workers, so the output always parses and follows the schema; a schema that uses
 * what the constraint does not enforce is refused with a 400 naming it rather than half-applied.
 */
public final class ResponseFormats {

    private ResponseFormats() {
    }

    /** The schema the output must follow, or null for free text. */
    public static String jsonSchema(JsonNode format) {
        if (format == null || format.isNull()) {
            return null;
        }
        if (!format.isObject()) {
            throw OpenAiException.badRequest("response_format", "'response_format' must be an object");
        }
        String type = format.path("type").textValue();
        if (type == null) {
            throw OpenAiException.badRequest("response_format.type", "'response_format.type' is required");
        }
        return switch (type) {
            case "text" -> null;
            case "json_object" -> SchemaCompiler.JSON_OBJECT;
            case "json_schema" -> {
                JsonNode spec = format.get("json_schema");
                if (spec == null || !spec.isObject()) {
                    throw OpenAiException.badRequest("response_format.json_schema",
                            "'response_format.json_schema' is required for type json_schema");
                }
                JsonNode name = spec.get("name");
                if (name != null && !name.isTextual()) {
                    throw OpenAiException.badRequest("response_format.json_schema.name",
                            "'response_format.json_schema.name' must be a string");
                }
                JsonNode schema = spec.get("schema");
                if (schema == null || schema.isNull()) {
                    yield SchemaCompiler.JSON_OBJECT;
                }
                yield checked(schema, "response_format.json_schema.schema");
            }
            default -> throw OpenAiException.badRequest("response_format.type", "'response_format.type' must be text, "
                    + "json_object or json_schema, got '" + type + "'");
        };
    }

    /** The schema's JSON text, once the constraint compiler has accepted it. */
    public static String checked(JsonNode schema, String param) {
        String text = schema.toString();
        try {
            SchemaCompiler.validate(text);
        } catch (UnsupportedSchemaException e) {
            throw OpenAiException.badRequest(param, "Unsupported JSON schema: " + e.getMessage());
        }
        return text;
    }
}
