package dev.tandem.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineToolsTest {

    @TempDir
    Path dir;

    @Test
    void commandLineToolsWriteAndMeasure() throws Exception {
        Path file = dir.resolve("cli.gguf");
        MakeModel.main(new String[] {"--shape", "tiny", "--type", "q4_0", "--seed", "5", "--layers", "1", file.toString()});
        assertTrue(Files.size(file) > 0);
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            BenchEngine.main(new String[] {file.toString(), "--threads", "2", "--runs", "1", "--warmup", "0",
                    "--prompt", "8", "--decode", "4", "--no-bandwidth"});
        } finally {
            System.setOut(old);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        String json = lines[lines.length - 1];
        assertTrue(json.matches("\\{\"backend\":\"cpu\",\"cpu_kernels\":\"[a-z0-9-]+\",\"prefill_tps\":[0-9.]+,\"decode_tps\":[0-9.]+,\"decode_batch8_tps\":[0-9.]+,\"threads\":2,\"decode_batch8_best_step_tps\":[0-9.]+,\"decode_best_step_tps\":[0-9.]+}"), json);
        JsonNode node = new ObjectMapper().readTree(json);
        assertTrue(node.get("decode_tps").asDouble() > 0);
        assertArrayEquals(new String[] {"backend", "cpu_kernels", "decode_batch8_best_step_tps", "decode_batch8_tps",
                "decode_best_step_tps", "decode_tps", "prefill_tps", "threads"},
                StreamSupport.stream(((Iterable<String>) node::fieldNames).spliterator(), false).sorted().toArray());
    }
}
