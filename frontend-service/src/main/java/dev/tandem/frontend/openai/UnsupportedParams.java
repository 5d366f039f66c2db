package dev.tandem.frontend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Request fields Tandem does not serve. Every request DTO keeps the fields it has no component for (its
 * {@code @JsonAnySetter} map); a field found there is refused with a 400 naming it, as Dynamo does
 * ({@code Unsupported parameter(s): `foo`}), unless the frontend is told to ignore them
 * ({@code tandem.ignore-unsupported-params}).
 *
 * <p>Not refused, because they ask for nothing Tandem leaves out: a field set to JSON {@code null} (OpenAI's "not
 * given"), and at the top level of a generation request the values of OpenAI fields that mean "off" (listed in
 * {@link #GENERATION}), plus {@code user}, the end user's id, which only identifies the caller.
 */
public final class UnsupportedParams {

    static final String MESSAGE = "Unsupported parameter(s): ";

    /** OpenAI generation fields Tandem does not serve yet, with the values that ask for none of it. */
    static final Map<String, Predicate<JsonNode>> GENERATION = Map.of(
            "user", JsonNode::isTextual,
            "echo", value -> value.isBoolean() && !value.booleanValue(),
            "best_of", value -> value.isIntegralNumber() && value.asLong() == 1,
            // served (RequestValidator reads it): text, json_object, json_schema
            "response_format", JsonNode::isObject,
            "tools", value -> value.isArray() && value.isEmpty(),
            "tool_choice", value -> "none".equals(value.textValue()),
            "parallel_tool_calls", JsonNode::isBoolean); // says how tools are called: none are offered

    private UnsupportedParams() {
    }

    /** The DTOs' catch-all for fields they do not declare: never null. */
    static Map<String, JsonNode> collected(Map<String, JsonNode> fields) {
        return fields == null || fields.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(
                new LinkedHashMap<>(fields));
    }

    /**
     * Adds the JSON paths of {@code fields} that are refused to {@code into}, each under {@code prefix}, in
     * alphabetical order; a field
     * whose value {@code nothingAsked} accepts for its name is not refused.
     */
    static void collect(String prefix, Map<String, JsonNode> fields, Map<String, Predicate<JsonNode>> nothingAsked,
            List<String> into) {
        if (fields == null) {
            return;
        }
        new TreeMap<>(fields).forEach((name, value) -> {
            if (value == null || value.isNull()) {
                return;
            }
            Predicate<JsonNode> harmless = nothingAsked.get(name);
            if (harmless == null || !harmless.test(value)) {
                into.add(prefix + name);
            }
        });
    }

    /** A body's own fields only (no nested objects to look into). */
    public static void check(Map<String, JsonNode> fields, boolean ignore) {
        if (ignore) {
            return;
        }
        List<String> refused = new ArrayList<>();
        collect("", fields, Map.of(), refused);
        refuse(refused);
    }

    /** @throws OpenAiException 400 naming every refused field; {@code param} is the first */
    static void refuse(List<String> refused) {
        if (!refused.isEmpty()) {
            throw OpenAiException.badRequest(refused.getFirst(), MESSAGE
                    + refused.stream().map(name -> "`" + name + "`").collect(Collectors.joining(", ")));
        }
    }
}
