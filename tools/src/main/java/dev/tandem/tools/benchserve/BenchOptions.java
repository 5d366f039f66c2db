package dev.tandem.tools.benchserve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command line of bench-serve (see {@link #USAGE}). */
record BenchOptions(boolean help, String baseUrl, OpenAiStreamClient.Api api, String model, String apiKey,
        Prompts.Kind dataset, int numPrompts, int inputLen, int outputLen, int prefixLen, double rangeRatio,
        List<Integer> concurrency, double requestRate, Slo slo, int warmup, long seed, int timeoutSeconds, Path output) {

    static final String USAGE = """
            Usage: scripts/bench-serve.sh [options]
              --base-url URL         the server (default http://127.0.0.1:8000)
              --endpoint E           completions (default) or chat
              --model NAME           the model to ask for (default: the first of GET /v1/models)
              --api-key KEY          sent as a bearer token (default: $OPENAI_API_KEY, if set)
              --dataset D            random (default: lengths input-len ± range-ratio), fixed (input-len words),
                                     shared-prefix (prefix-len common words, then input-len words each)
              --input-len N          prompt words (default 128)
              --output-len N         tokens generated per request, with ignore_eos (default 48)
              --prefix-len N         shared-prefix words (default 64)
              --range-ratio R        random lengths spread (default 0.25)
              --num-prompts N        requests per run (default 64)
              --concurrency 1,4,8    closed-loop clients, one run per level (default 1); with --request-rate, the cap
              --request-rate R       Poisson arrivals at R requests/s (open loop) instead of closed-loop clients
              --goodput SLO...       e.g. ttft:200 tpot:50 (ms; also e2el): adds request_goodput
              --warmup N             requests sent one at a time before measuring (default 2)
              --seed N               prompts and arrivals (default 0)
              --timeout S            per request, seconds (default 600)
              --output FILE          append each run's JSON object to FILE (one per line)
            Prints a progress line (stderr), a table per run, then one JSON object per run (vLLM's key names:
            mean_ttft_ms, median_ttft_ms, p99_ttft_ms, mean_itl_ms, mean_tpot_ms, mean_e2el_ms, request_throughput,
            output_throughput, completed, failed, duration, ...).""";

    static BenchOptions parse(String... args) {
        boolean help = false;
        String baseUrl = "http://127.0.0.1:8000";
        OpenAiStreamClient.Api api = OpenAiStreamClient.Api.COMPLETIONS;
        String model = null;
        String apiKey = System.getenv("OPENAI_API_KEY");
        Prompts.Kind dataset = Prompts.Kind.RANDOM;
        int numPrompts = 64;
        int inputLen = 128;
        int outputLen = 48;
        int prefixLen = 64;
        double rangeRatio = 0.25;
        List<Integer> concurrency = null;
        double requestRate = 0;
        List<String> goodput = new ArrayList<>();
        int warmup = 2;
        long seed = 0;
        int timeout = 600;
        Path output = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> help = true;
                case "--base-url" -> baseUrl = value(args, ++i, arg);
                case "--endpoint" -> api = OpenAiStreamClient.Api.parse(value(args, ++i, arg));
                case "--model" -> model = value(args, ++i, arg);
                case "--api-key" -> apiKey = value(args, ++i, arg);
                case "--dataset" -> dataset = Prompts.Kind.parse(value(args, ++i, arg));
                case "--input-len" -> inputLen = positive(args, ++i, arg);
                case "--output-len" -> outputLen = positive(args, ++i, arg);
                case "--prefix-len" -> prefixLen = positive(args, ++i, arg);
                case "--range-ratio" -> rangeRatio = fraction(value(args, ++i, arg));
                case "--num-prompts" -> numPrompts = positive(args, ++i, arg);
                case "--concurrency", "--max-concurrency" -> concurrency = Arrays.stream(value(args, ++i, arg).split(","))
                        .map(String::trim).map(v -> positive(v, arg)).toList();
                case "--request-rate" -> {
                    requestRate = Double.parseDouble(value(args, ++i, arg));
                    if (!(requestRate > 0)) {
                        throw new IllegalArgumentException("--request-rate must be positive");
                    }
                }
                case "--goodput" -> {
                    while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        goodput.add(args[++i]);
                    }
                    if (goodput.isEmpty()) {
                        throw new IllegalArgumentException("--goodput needs at least one METRIC:MS");
                    }
                }
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, arg));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, arg));
                case "--timeout" -> timeout = positive(args, ++i, arg);
                case "--output" -> output = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option '" + arg + "' (see --help)");
            }
        }
        if (concurrency == null) {
            concurrency = requestRate > 0 ? List.of() : List.of(1);
        }
        if (requestRate > 0 && concurrency.size() > 1) {
            throw new IllegalArgumentException("with --request-rate, --concurrency is one cap, not a list");
        }
        return new BenchOptions(help, baseUrl, api, model, apiKey, dataset, numPrompts, inputLen, outputLen, prefixLen,
                rangeRatio, concurrency, requestRate, Slo.parse(goodput), Math.max(0, warmup), seed, timeout, output);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String[] args, int i, String option) {
        return positive(value(args, i, option), option);
    }

    private static int positive(String value, String option) {
        int n = Integer.parseInt(value);
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, not " + n);
        }
        return n;
    }

    private static double fraction(String value) {
        double r = Double.parseDouble(value);
        if (r < 0 || r >= 1) {
            throw new IllegalArgumentException("--range-ratio must be in [0, 1), not " + value);
        }
        return r;
    }
}
