package dev.tandem.tools;

import dev.tandem.model.synthetic.ModelShape;
import dev.tandem.model.synthetic.SyntheticGguf;

import dev.tandem.gguf.GgmlType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code MakeModel --shape tinyllama|llama3-1b|llama3-8b|tiny --type f32|f16|bf16|q8_0|q4_0 --seed N [--layers N] OUT.gguf}:
 * writes a random-weight Llama GGUF (see {@link SyntheticGguf}). Run by {@code scripts/make-model.sh}.
 */
public final class MakeModel {

    private MakeModel() {
    }

    public static void main(String[] args) throws Exception {
        String shapeName = null;
        String typeName = null;
        long seed = 0;
        Integer layers = null;
        Path out = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--shape" -> shapeName = value(args, ++i);
                    case "--type" -> typeName = value(args, ++i);
                    case "--seed" -> seed = Long.parseLong(value(args, ++i));
                    case "--layers" -> layers = Integer.parseInt(value(args, ++i));
                    case "-h", "--help" -> {
                        usage(null);
                        return;
                    }
                    default -> {
                        if (args[i].startsWith("-") || out != null) {
                            throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                        }
                        out = Path.of(args[i]);
                    }
                }
            }
            if (shapeName == null || typeName == null || out == null) {
                throw new IllegalArgumentException("--shape, --type and OUT.gguf are required");
            }
            ModelShape shape = ModelShape.named(shapeName);
            if (layers != null) {
                if (layers < 1) {
                    throw new IllegalArgumentException("--layers must be at least 1");
                }
                shape = shape.withLayers(layers);
            }
            GgmlType type = SyntheticGguf.parseType(typeName);
            long start = System.nanoTime();
            SyntheticGguf.write(shape, type, seed, out);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "wrote %s: %s shape (dim %d, %d layers, %d/%d heads, ff %d, vocab %d), %s, seed %d, "
                            + "%.1f M parameters, %.1f MB in %.1f s%n",
                    out, shape.name(), shape.dim(), shape.layers(), shape.heads(), shape.kvHeads(), shape.ffDim(),
                    shape.vocab(), type, seed, shape.parameters() / 1e6, Files.size(out) / 1e6, seconds);
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
            System.exit(2);
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String error) {
        if (error != null) {
            System.err.println("make-model: " + error);
        }
        System.err.println("usage: make-model.sh --shape tinyllama|llama3-1b|llama3-8b|tiny --type f32|f16|bf16|q8_0|q4_0 --seed N [--layers N] OUT.gguf");
    }
}
