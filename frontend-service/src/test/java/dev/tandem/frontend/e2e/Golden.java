package dev.tandem.frontend.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tandem.model.ModelCard;

/** A model of ../shared with its llama.cpp reference outputs. */
record Golden(Path model, JsonNode cases, ModelCard tokenizerOnly) {

    static Optional<Path> sharedDir() {
        String configured = System.getProperty("shared.dir");
        Path dir = configured != null ? Path.of(configured) : ServiceProcess.projectDir().resolve("../shared");
        return Files.isDirectory(dir.resolve("models")) ? Optional.of(dir.normalize()) : Optional.empty();
    }

    static Golden load(Path shared, String modelFile) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(shared.resolve("golden/" + modelFile + ".golden.json").toFile());
        Path model = shared.resolve("models/" + modelFile);
        return new Golden(model, golden.get("cases"), ModelCard.load(Optional.of(model)));
    }

    JsonNode caseFor(String prompt) {
        for (JsonNode c : cases) {
            if (c.get("prompt").asText().equals(prompt)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no golden case for " + prompt);
    }

    List<Integer> greedyTokens(String prompt) {
        return ints(caseFor(prompt).get("greedy_tokens"));
    }

    int promptTokenCount(String prompt) {
        return caseFor(prompt).get("prompt_tokens").size();
    }

    /** The reference greedy continuation as text, the first {@code count} tokens of it. */
    String greedyText(String prompt, int count) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        greedyTokens(prompt).stream().limit(count)
                .forEach(token -> bytes.writeBytes(tokenizerOnly.tokenizer().tokenBytes(token)));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static List<Integer> ints(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asInt).toList();
    }
}
