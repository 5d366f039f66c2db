package dev.tandem.deploy;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * The build context's exclusions, with Docker's rules: patterns match a path or one of its parent directories,
 * later patterns win, and {@code !} re-includes.
 */
record DockerIgnore(List<Rule> rules) {

    record Rule(PathMatcher matcher, boolean include) {
    }

    static DockerIgnore parse(String text) {
        return new DockerIgnore(text.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> {
                    boolean include = line.startsWith("!");
                    String pattern = (include ? line.substring(1) : line).replaceAll("^/+|/+$", "");
                    return new Rule(FileSystems.getDefault().getPathMatcher("glob:" + pattern), include);
                })
                .toList());
    }

    boolean excludes(String relative) {
        boolean excluded = false;
        for (Rule rule : rules) {
            for (Path path = Path.of(relative); path != null; path = path.getParent()) {
                if (rule.matcher().matches(path)) {
                    excluded = !rule.include();
                    break;
                }
            }
        }
        return excluded;
    }
}
