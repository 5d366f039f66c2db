package dev.tandem.deploy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A Dockerfile as its stages of instructions (continuation lines joined, comments kept per stage), enough to check
 * what each image copies, runs as and exposes. Linting proper is dockerfile-utils' job (DockerfilesTest).
 */
record Dockerfile(String name, List<Stage> stages) {

    record Instruction(String keyword, String arguments, int line) {

        /** Flags (--from=build) and operands, split on whitespace. */
        List<String> words() {
            return Arrays.stream(arguments.strip().split("\\s+")).filter(word -> !word.isEmpty()).toList();
        }

        String flag(String name) {
            return words().stream().filter(word -> word.startsWith("--" + name + "=")).findFirst()
                    .map(word -> word.substring(name.length() + 3)).orElse(null);
        }

        List<String> operands() {
            return words().stream().filter(word -> !word.startsWith("--")).toList();
        }
    }

    record Stage(String base, String alias, List<Instruction> instructions, List<String> comments) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }
    }

    Stage last() {
        return stages.getLast();
    }

    Stage stage(String alias) {
        return stages.stream().filter(stage -> alias.equals(stage.alias())).findFirst().orElse(null);
    }

    static Dockerfile parse(String name, String text) {
        List<Stage> stages = new ArrayList<>();
        List<String> pendingComments = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("#")) {
                pendingComments.add(line);
                continue;
            }
            if (line.isEmpty()) {
                continue;
            }
            int start = i + 1;
            StringBuilder joined = new StringBuilder();
            while (line.endsWith("\\") && i + 1 < lines.length) {
                joined.append(line, 0, line.length() - 1).append(' ');
                line = lines[++i].strip();
            }
            joined.append(line);
            String[] parts = joined.toString().split("\\s+", 2);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "", start);
            if (instruction.keyword().equals("FROM")) {
                List<String> words = instruction.operands();
                String alias = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS") ? words.get(2) : null;
                stages.add(new Stage(words.getFirst(), alias, new ArrayList<>(), new ArrayList<>(pendingComments)));
            } else if (!stages.isEmpty()) {
                stages.getLast().instructions().add(instruction);
                stages.getLast().comments().addAll(pendingComments);
            }
            pendingComments.clear();
        }
        if (!stages.isEmpty()) {
            stages.getLast().comments().addAll(pendingComments);
        }
        return new Dockerfile(name, stages);
    }
}
