package dev.tandem.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON schema into the automaton's nodes. Served: {@code type} (one or several), {@code properties},
 * {@code required}, {@code additionalProperties}, {@code items}, {@code minItems}/{@code maxItems}, {@code enum},
 * {@code const}, {@code minLength}/{@code maxLength}, {@code minimum}/{@code maximum} (and the exclusive forms)
 * of integers, {@code anyOf} (alternatives followed side by side until told apart), local {@code $ref}s into {@code $defs}
 * (not recursive ones); annotations ({@code title}, {@code description}, ...) are ignored. Anything else is
 * refused with an {@link UnsupportedSchemaException} naming it, rather than silently not enforced.
 *
 * <p>What is generated is a subset of what the schema allows: declared properties come in the schema's order,
 * an object with declared properties gets no others, numbers have no exponent, integers at most 15 digits when
 * unbounded, strings no surrogate escapes.
 */
public final class SchemaCompiler {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "default",
            "examples", "$comment", "deprecated", "readOnly", "writeOnly", "strict", "$defs", "definitions");
    private static final long UNBOUNDED = Integers.POW10[Node.MAX_INTEGER_DIGITS] - 1;

    private final JsonNode root;
    private final List<String> refStack = new ArrayList<>();

    private SchemaCompiler(JsonNode root) {
        this.root = root;
    }

    /** The schema of {@code response_format: json_object}: any JSON object. */
    public static final String JSON_OBJECT = "{\"type\":\"object\"}";

    /** Checks that a schema is served; throws {@link UnsupportedSchemaException} naming what is not. */
    public static void validate(String schemaJson) {
        compile(schemaJson);
    }

    static Node compile(String schemaJson) {
        JsonNode schema;
        try {
            schema = JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new UnsupportedSchemaException("the schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (schema == null || !schema.isObject() && !schema.isBoolean()) {
            throw new UnsupportedSchemaException("the schema must be a JSON object");
        }
        return new SchemaCompiler(schema).node(schema, "");
    }

    private Node node(JsonNode schema, String path) {
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                throw new UnsupportedSchemaException(at(path) + "a false schema matches nothing");
            }
            return any();
        }
        if (!schema.isObject()) {
            throw new UnsupportedSchemaException(at(path) + "a schema must be an object");
        }
        if (schema.has("$ref")) {
            return ref(schema, path);
        }
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (!ANNOTATIONS.contains(keyword) && !served(keyword)) {
                throw new UnsupportedSchemaException(at(path) + "'" + keyword + "' is not supported");
            }
        }
        if (schema.has("const")) {
            return literals(List.of(schema.get("const")));
        }
        if (schema.has("enum")) {
            JsonNode values = schema.get("enum");
            if (!values.isArray() || values.isEmpty()) {
                throw new UnsupportedSchemaException(at(path) + "'enum' must be a non-empty array");
            }
            List<JsonNode> list = new ArrayList<>();
            values.forEach(list::add);
            return literals(list);
        }
        if (schema.has("anyOf")) {
            if (schema.has("type")) {
                throw new UnsupportedSchemaException(at(path) + "'anyOf' beside 'type' is not supported");
            }
            List<Node> alternatives = new ArrayList<>();
            int i = 0;
            for (JsonNode alternative : schema.get("anyOf")) {
                alternatives.add(node(alternative, path + "/anyOf/" + i++));
            }
            return union(alternatives);
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            if (schema.has("properties") || schema.has("required") || schema.has("additionalProperties")) {
                return typed("object", schema, path);
            }
            if (schema.has("items")) {
                return typed("array", schema, path);
            }
            return any();
        }
        if (type.isArray()) {
            List<Node> alternatives = new ArrayList<>();
            for (JsonNode t : type) {
                alternatives.add(typed(t.asText(), schema, path));
            }
            return union(alternatives);
        }
        return typed(type.asText(), schema, path);
    }

    private static boolean served(String keyword) {
        return switch (keyword) {
            case "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "enum",
                 "const", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                 "anyOf" -> true;
            default -> false;
        };
    }

    private Node ref(JsonNode schema, String path) {
        String ref = schema.get("$ref").asText();
        if (schema.size() > 1 && !onlyAnnotations(schema)) {
            throw new UnsupportedSchemaException(at(path) + "'$ref' beside other keywords is not supported");
        }
        if (refStack.contains(ref)) {
            throw new UnsupportedSchemaException(at(path) + "recursive '$ref' " + ref + " is not supported");
        }
        JsonNode target = ref.equals("#") ? root : ref.startsWith("#/") ? root.at(ref.substring(1)) : null;
        if (target == null || target.isMissingNode()) {
            throw new UnsupportedSchemaException(at(path) + "'$ref' " + ref + " does not point into this schema");
        }
        refStack.add(ref);
        try {
            return node(target, ref.substring(1));
        } finally {
            refStack.removeLast();
        }
    }

    private static boolean onlyAnnotations(JsonNode schema) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("$ref") && !ANNOTATIONS.contains(k)) {
                return false;
            }
        }
        return true;
    }

    private Node typed(String type, JsonNode schema, String path) {
        return switch (type) {
            case "object" -> object(schema, path);
            case "array" -> array(schema, path);
            case "string" -> string(schema, path);
            case "integer" -> integer(schema, path);
            case "number" -> number(schema, path);
            case "boolean" -> literals(List.of(JSON.getNodeFactory().booleanNode(true), JSON.getNodeFactory().booleanNode(false)));
            case "null" -> literals(List.of(JSON.getNodeFactory().nullNode()));
            default -> throw new UnsupportedSchemaException(at(path) + "unknown type '" + type + "'");
        };
    }

    private Node object(JsonNode schema, String path) {
        Node node = new Node(Node.Kind.OBJECT);
        JsonNode properties = schema.get("properties");
        Set<String> required = new LinkedHashSet<>();
        if (schema.has("required")) {
            schema.get("required").forEach(r -> required.add(r.asText()));
        }
        List<byte[]> keys = new ArrayList<>();
        List<Node> values = new ArrayList<>();
        List<Boolean> req = new ArrayList<>();
        if (properties != null && properties.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                keys.add(Node.utf8(quote(e.getKey())));
                values.add(node(e.getValue(), path + "/properties/" + e.getKey()));
                req.add(required.remove(e.getKey()));
            }
        }
        if (!required.isEmpty()) {
            throw new UnsupportedSchemaException(at(path) + "required properties " + required
                    + " are not declared in 'properties'");
        }
        node.keys = keys.toArray(new byte[0][]);
        node.values = values.toArray(new Node[0]);
        node.required = new boolean[req.size()];
        for (int i = 0; i < req.size(); i++) {
            node.required[i] = req.get(i);
        }
        if (keys.isEmpty()) {
            JsonNode additional = schema.get("additionalProperties");
            if (additional == null || additional.isBoolean() && additional.booleanValue()) {
                node.additional = any();
            } else if (additional.isBoolean()) {
                node.additional = null;
            } else {
                node.additional = node(additional, path + "/additionalProperties");
            }
        }
        node.finish();
        return node;
    }

    private Node array(JsonNode schema, String path) {
        Node node = new Node(Node.Kind.ARRAY);
        JsonNode items = schema.get("items");
        if (items != null && items.isArray()) {
            throw new UnsupportedSchemaException(at(path) + "tuple 'items' is not supported");
        }
        node.items = items == null ? any() : node(items, path + "/items");
        node.minItems = nonNegative(schema, "minItems", 0, path);
        node.maxItems = nonNegative(schema, "maxItems", Integer.MAX_VALUE, path);
        if (node.minItems > node.maxItems) {
            throw new UnsupportedSchemaException(at(path) + "minItems exceeds maxItems");
        }
        node.finish();
        return node;
    }

    private Node string(JsonNode schema, String path) {
        Node node = new Node(Node.Kind.STRING);
        node.minChars = nonNegative(schema, "minLength", 0, path);
        node.maxChars = nonNegative(schema, "maxLength", Integer.MAX_VALUE, path);
        if (node.minChars > node.maxChars) {
            throw new UnsupportedSchemaException(at(path) + "minLength exceeds maxLength");
        }
        node.finish();
        return node;
    }

    private Node integer(JsonNode schema, String path) {
        Node node = new Node(Node.Kind.INTEGER);
        long min = -UNBOUNDED;
        long max = UNBOUNDED;
        if (schema.has("minimum")) {
            min = Math.max(min, (long) Math.ceil(number(schema, "minimum", path)));
        }
        if (schema.has("exclusiveMinimum")) {
            min = Math.max(min, (long) Math.floor(number(schema, "exclusiveMinimum", path)) + 1);
        }
        if (schema.has("maximum")) {
            max = Math.min(max, (long) Math.floor(number(schema, "maximum", path)));
        }
        if (schema.has("exclusiveMaximum")) {
            max = Math.min(max, (long) Math.ceil(number(schema, "exclusiveMaximum", path)) - 1);
        }
        if (min > max) {
            throw new UnsupportedSchemaException(at(path) + "no integer lies between minimum and maximum");
        }
        node.minimum = min;
        node.maximum = max;
        node.finish();
        return node;
    }

    private Node number(JsonNode schema, String path) {
        for (String bound : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
            if (schema.has(bound)) {
                throw new UnsupportedSchemaException(at(path) + "'" + bound + "' is supported for integers only");
            }
        }
        Node node = new Node(Node.Kind.NUMBER);
        node.finish();
        return node;
    }

    private static double number(JsonNode schema, String keyword, String path) {
        JsonNode v = schema.get(keyword);
        if (!v.isNumber()) {
            throw new UnsupportedSchemaException(at(path) + "'" + keyword + "' must be a number");
        }
        return v.doubleValue();
    }

    private static int nonNegative(JsonNode schema, String keyword, int fallback, String path) {
        JsonNode v = schema.get(keyword);
        if (v == null) {
            return fallback;
        }
        if (!v.canConvertToInt() || v.intValue() < 0) {
            throw new UnsupportedSchemaException(at(path) + "'" + keyword + "' must be a non-negative integer");
        }
        return v.intValue();
    }

    private static Node literals(List<JsonNode> values) {
        Node node = new Node(Node.Kind.LITERALS);
        node.literals = values.stream().map(JsonNode::toString).distinct().map(Node::utf8).toArray(byte[][]::new);
        node.finish();
        return node;
    }

    private static Node union(List<Node> alternatives) {
        if (alternatives.size() == 1) {
            return alternatives.getFirst();
        }
        Node node = new Node(Node.Kind.UNION);
        node.alternatives = alternatives.toArray(new Node[0]);
        node.finish();
        return node;
    }

    /** Any JSON value: free-form objects and arrays of any values, strings, numbers, booleans, null. */
    private static Node any() {
        return Any.NODE;
    }

    private static final class Any {
        static final Node NODE = new Node(Node.Kind.UNION);

        static {
            Node object = new Node(Node.Kind.OBJECT);
            object.additional = NODE;
            Node array = new Node(Node.Kind.ARRAY);
            array.items = NODE;
            Node string = new Node(Node.Kind.STRING);
            Node number = new Node(Node.Kind.NUMBER);
            Node literals = new Node(Node.Kind.LITERALS);
            literals.literals = new byte[][] {Node.utf8("true"), Node.utf8("false"), Node.utf8("null")};
            NODE.alternatives = new Node[] {object, array, string, number, literals};
            NODE.minLength = 1;
            string.finish();
            number.finish();
            literals.finish();
            object.finish();
            array.finish();
        }
    }

    static String quote(String s) {
        return JSON.getNodeFactory().textNode(s).toString();
    }

    private static String at(String path) {
        return path.isEmpty() ? "" : "at " + path + ": ";
    }
}
