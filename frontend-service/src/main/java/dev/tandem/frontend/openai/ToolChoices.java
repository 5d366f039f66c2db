package dev.tandem.frontend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A chat request's {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}, checked: every failure is a
 * 400 naming the field. {@code tool_choice} defaults to {@code auto} when tools are offered, {@code none} otherwise;
 * {@code parallel_tool_calls} to true.
 *
 * <p>{@code required} and a named function are served by constrained decoding ({@link #schema()}): a named function's
 * output is its arguments object, following the function's {@code parameters}; {@code required} writes an array of
 * calls {@code [{"name": ..., "arguments": {...}}]} (one at most unless {@code parallel_tool_calls}), each call's
 * arguments following its own function's parameters.
 *
 * @param tools    the offered tools as sent (OpenAI's function format); empty when none
 * @param function the function {@code tool_choice} names, for {@link Mode#NAMED}
 */
public record ToolChoices(List<JsonNode> tools, Mode mode, String function, boolean parallel) {

    public enum Mode {
        NONE, AUTO, REQUIRED, NAMED
    }

    public static final ToolChoices NONE = new ToolChoices(List.of(), Mode.NONE, null, true);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");

    /** Reads the fields a chat request does not declare; {@link #NONE} when it offers no tools. */
    public static ToolChoices of(Map<String, JsonNode> fields) {
        List<JsonNode> tools = tools(fields.get("tools"));
        JsonNode parallelNode = fields.get("parallel_tool_calls");
        if (parallelNode != null && !parallelNode.isNull() && !parallelNode.isBoolean()) {
            throw OpenAiException.badRequest("parallel_tool_calls", "'parallel_tool_calls' must be a boolean");
        }
        boolean parallel = parallelNode == null || !parallelNode.isBoolean() || parallelNode.booleanValue();
        JsonNode choice = fields.get("tool_choice");
        Mode mode;
        String function = null;
        if (choice == null || choice.isNull()) {
            mode = tools.isEmpty() ? Mode.NONE : Mode.AUTO;
        } else if (choice.isTextual()) {
            mode = switch (choice.textValue()) {
                case "none" -> Mode.NONE;
                case "auto" -> Mode.AUTO;
                case "required" -> Mode.REQUIRED;
                default -> throw OpenAiException.badRequest("tool_choice", "'tool_choice' must be none, auto, required"
                        + " or {\"type\": \"function\", \"function\": {\"name\": ...}}, got '" + choice.textValue() + "'");
            };
        } else if (choice.isObject()) {
            if (!"function".equals(choice.path("type").textValue())) {
                throw OpenAiException.badRequest("tool_choice.type", "'tool_choice.type' must be 'function'");
            }
            function = choice.path("function").path("name").textValue();
            if (function == null) {
                throw OpenAiException.badRequest("tool_choice.function.name",
                        "'tool_choice.function.name' is required: the name of one of the tools");
            }
            mode = Mode.NAMED;
        } else {
            throw OpenAiException.badRequest("tool_choice", "'tool_choice' must be a string or an object");
        }
        if (mode != Mode.NONE && tools.isEmpty()) {
            throw OpenAiException.badRequest("tool_choice", "'tool_choice' " + (choice != null ? choice : "")
                    + " needs 'tools': no tools were offered");
        }
        if (mode == Mode.NAMED && index(tools, function) < 0) {
            throw OpenAiException.badRequest("tool_choice.function.name", "'tool_choice' names function '" + function
                    + "', which is not among the tools");
        }
        ToolChoices choices = new ToolChoices(tools, mode, function, parallel);
        choices.schema(); // refuses parameters the constraint cannot enforce, now rather than on the workers
        return choices;
    }

    /** Whether tools go into the prompt and calls are read from the output. */
    public boolean offered() {
        return mode != Mode.NONE && !tools.isEmpty();
    }

    /** Whether decoding is constrained to a call ({@code required} or a named function). */
    public boolean forced() {
        return mode == Mode.REQUIRED || mode == Mode.NAMED;
    }

    public List<String> names() {
        return tools.stream().map(tool -> tool.path("function").path("name").textValue()).toList();
    }

    /** The JSON schema decoding is constrained to, or null when the model writes freely. */
    public String schema() {
        return switch (mode) {
            case NONE, AUTO -> null;
            case NAMED -> {
                int i = index(tools, function);
                yield ResponseFormats.checked(parameters(tools.get(i)), "tools[" + i + "].function.parameters");
            }
            case REQUIRED -> {
                // Each call is one of the functions, its arguments following that function's own parameters:
                // the const name tells the alternatives apart as soon as it is written.
                ObjectNode calls = JSON.createObjectNode().put("type", "array").put("minItems", 1);
                if (!parallel) {
                    calls.put("maxItems", 1);
                }
                ArrayNode alternatives = calls.putObject("items").putArray("anyOf");
                ObjectNode defs = JSON.createObjectNode(); // every function's definitions, under names of their own
                for (int i = 0; i < tools.size(); i++) {
                    ObjectNode call = alternatives.addObject().put("type", "object");
                    ObjectNode properties = call.putObject("properties");
                    properties.putObject("name").put("const", names().get(i));
                    properties.set("arguments", withDefsOf(i, parameters(tools.get(i)), defs));
                    call.putArray("required").add("name").add("arguments");
                    call.put("additionalProperties", false);
                }
                if (!defs.isEmpty()) {
                    calls.set("$defs", defs);
                }
                yield ResponseFormats.checked(calls, tools.size() == 1 ? "tools[0].function.parameters" : "tools");
            }
        };
    }

    /**
     * Function {@code i}'s parameters with their definitions ({@code $defs}, or draft-07's {@code definitions})
     * moved into the shared {@code defs} under names of their own ({@code f<i>.<name>}), and their local references
     * rewritten to match, so that two functions' definitions of the same name do not meet.
     */
    private static JsonNode withDefsOf(int i, JsonNode parameters, ObjectNode defs) {
        JsonNode copy = parameters.deepCopy();
        for (String key : List.of("$defs", "definitions")) {
            JsonNode own = copy.get(key);
            if (own != null && own.isObject() && copy instanceof ObjectNode object) {
                renamedRefs(copy, "#/" + key + "/", "#/$defs/f" + i + ".");
                object.remove(key);
                own.properties().forEach(def -> defs.set("f" + i + "." + def.getKey(), def.getValue()));
            }
        }
        return copy;
    }

    private static JsonNode renamedRefs(JsonNode node, String from, String to) {
        if (node instanceof ObjectNode object) {
            JsonNode ref = object.get("$ref");
            if (ref != null && ref.isTextual() && ref.textValue().startsWith(from)) {
                object.put("$ref", to + ref.textValue().substring(from.length()));
            }
            object.properties().forEach(member -> renamedRefs(member.getValue(), from, to));
        } else if (node instanceof ArrayNode array) {
            array.forEach(item -> renamedRefs(item, from, to));
        }
        return node;
    }

    /** A function's parameters schema; a function without one takes any object. */
    public static JsonNode parameters(JsonNode tool) {
        JsonNode parameters = tool.path("function").get("parameters");
        return parameters == null || parameters.isNull() ? JSON.createObjectNode().put("type", "object") : parameters;
    }

    private static int index(List<JsonNode> tools, String name) {
        for (int i = 0; i < tools.size(); i++) {
            if (name.equals(tools.get(i).path("function").path("name").textValue())) {
                return i;
            }
        }
        return -1;
    }

    private static List<JsonNode> tools(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw OpenAiException.badRequest("tools", "'tools' must be an array");
        }
        List<JsonNode> tools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode tool = node.get(i);
            String at = "tools[" + i + "]";
            if (!tool.isObject()) {
                throw OpenAiException.badRequest(at, at + " must be an object");
            }
            if (!"function".equals(tool.path("type").textValue())) {
                throw OpenAiException.badRequest(at + ".type", at + ".type must be 'function'");
            }
            JsonNode function = tool.get("function");
            if (function == null || !function.isObject()) {
                throw OpenAiException.badRequest(at + ".function", at + ".function must be an object");
            }
            String name = function.path("name").textValue();
            if (name == null || !NAME.matcher(name).matches()) {
                throw OpenAiException.badRequest(at + ".function.name", at + ".function.name must be 1 to 64 letters,"
                        + " digits, '_', '.' or '-'");
            }
            if (!names.add(name)) {
                throw OpenAiException.badRequest(at + ".function.name", "two tools are named '" + name + "'");
            }
            JsonNode description = function.get("description");
            if (description != null && !description.isNull() && !description.isTextual()) {
                throw OpenAiException.badRequest(at + ".function.description", at + ".function.description must be a string");
            }
            JsonNode parameters = function.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw OpenAiException.badRequest(at + ".function.parameters",
                        at + ".function.parameters must be a JSON schema object");
            }
            tools.add(tool);
        }
        return List.copyOf(tools);
    }
}
