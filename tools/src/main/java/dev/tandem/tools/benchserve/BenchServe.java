package dev.tandem.tools.benchserve;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures an OpenAI-compatible server under load, in the manner of {@code vllm bench serve}: closed-loop clients
 * ({@code --concurrency 1,4,8}, one run per level) or Poisson arrivals ({@code --request-rate R}, capped by
 * {@code --concurrency} when given); streamed requests with {@code ignore_eos} and a fixed {@code --output-len}.
 * Prints a progress line while it runs, a table per run, and one JSON object per run as the last lines of stdout
 * (also appended to {@code --output FILE}, one per line). Each client is a virtual thread.
 */
public final class BenchServe {

    private BenchServe() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-serve: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        String model = options.model() != null ? options.model() : OpenAiStreamClient.firstModel(options.baseUrl(), options.apiKey());
        OpenAiStreamClient client = new OpenAiStreamClient(options.baseUrl(), options.api(), model, options.apiKey(),
                Duration.ofSeconds(options.timeoutSeconds()));
        List<String> prompts = Prompts.generate(options.dataset(), options.numPrompts(), options.inputLen(),
                options.prefixLen(), options.rangeRatio(), options.seed());
        if (options.warmup() > 0) {
            System.err.printf("Warming up with %d requests...%n", options.warmup());
            List<String> warm = Prompts.generate(options.dataset(), options.warmup(), options.inputLen(), options.prefixLen(),
                    options.rangeRatio(), options.seed() + 1);
            for (String prompt : warm) {
                RequestResult result = client.run(prompt, options.outputLen(), System.nanoTime());
                if (!result.success()) {
                    System.err.println("bench-serve: warm-up request failed: " + result.error());
                    System.exit(1);
                }
            }
            System.err.println("Warm-up done.");
        }
        List<String> json = new ArrayList<>();
        List<Integer> levels = options.requestRate() > 0 ? Collections.singletonList(options.concurrency().isEmpty()
                ? null : options.concurrency().getFirst()) : options.concurrency();
        for (Integer concurrency : levels) {
            BenchReport report = run(options, client, model, prompts, concurrency);
            System.out.print(report.table());
            json.add(report.json());
            if (options.output() != null) {
                Files.writeString(options.output(), report.json() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
        json.forEach(System.out::println);
    }

    static BenchReport run(BenchOptions options, OpenAiStreamClient client, String model, List<String> prompts,
            Integer concurrency) throws InterruptedException {
        int total = prompts.size();
        List<RequestResult> results = Collections.synchronizedList(new ArrayList<>(total));
        AtomicInteger failed = new AtomicInteger();
        String label = options.requestRate() > 0
                ? String.format("rate %.2f/s%s", options.requestRate(), concurrency == null ? "" : ", max " + concurrency)
                : "concurrency " + concurrency;
        Progress progress = new Progress(System.err, label, total, results, failed);
        long start = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            progress.start();
            if (options.requestRate() > 0) {
                // open loop: Poisson arrivals, each request on its own thread, at most `concurrency` in flight
                Semaphore slots = new Semaphore(concurrency == null ? Integer.MAX_VALUE : concurrency);
                SplittableRandom arrivals = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
                long next = System.nanoTime();
                for (String prompt : prompts) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(Duration.ofNanos(wait));
                    }
                    slots.acquire();
                    clients.execute(() -> {
                        try {
                            record(results, failed, client.run(prompt, options.outputLen(), start));
                        } finally {
                            slots.release();
                        }
                    });
                    next += (long) (-Math.log(1 - arrivals.nextDouble()) / options.requestRate() * 1e9);
                }
            } else {
                // closed loop: `concurrency` clients, each sending its next request when the last one ends
                AtomicInteger nextPrompt = new AtomicInteger();
                for (int c = 0; c < concurrency; c++) {
                    clients.execute(() -> {
                        for (int i; (i = nextPrompt.getAndIncrement()) < total;) {
                            record(results, failed, client.run(prompts.get(i), options.outputLen(), start));
                        }
                    });
                }
            }
            progress.awaitAll();
        }
        double duration = (System.nanoTime() - start) / 1e9;
        progress.finish(duration);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("backend", "openai");
        run.put("endpoint", options.api().path);
        run.put("base_url", options.baseUrl());
        run.put("model_id", model);
        run.put("dataset", options.dataset().name().toLowerCase().replace('_', '-'));
        run.put("num_prompts", total);
        run.put("input_len", options.inputLen());
        run.put("output_len", options.outputLen());
        if (options.dataset() == Prompts.Kind.SHARED_PREFIX) {
            run.put("prefix_len", options.prefixLen());
        }
        run.put("request_rate", options.requestRate() > 0 ? options.requestRate() : "inf");
        run.put("max_concurrency", concurrency);
        return new BenchReport(run, List.copyOf(results), duration, options.slo());
    }

    private static void record(List<RequestResult> results, AtomicInteger failed, RequestResult result) {
        if (!result.success()) {
            failed.incrementAndGet();
        }
        results.add(result);
    }

    /** The progress line on stderr: requests done and failed, elapsed time; redrawn a few times a second. */
    private static final class Progress {
        private final PrintStream out;
        private final String label;
        private final int total;
        private final List<RequestResult> results;
        private final AtomicInteger failed;
        private final long start = System.nanoTime();

        Progress(PrintStream out, String label, int total, List<RequestResult> results, AtomicInteger failed) {
            this.out = out;
            this.label = label;
            this.total = total;
            this.results = results;
            this.failed = failed;
        }

        void start() {
            Thread.ofVirtual().start(() -> {
                while (results.size() < total) {
                    draw();
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void awaitAll() throws InterruptedException {
            while (results.size() < total) {
                Thread.sleep(20);
            }
        }

        private void draw() {
            out.printf("\r[%s] %d/%d requests done, %d failed, %.1f s   ", label, results.size(), total, failed.get(),
                    (System.nanoTime() - start) / 1e9);
            out.flush();
        }

        void finish(double duration) {
            draw();
            out.println();
        }
    }

    /** For tests: the reports of a run with these arguments, without printing. */
    static List<BenchReport> runForTest(String... args) throws IOException, InterruptedException {
        BenchOptions options = BenchOptions.parse(args);
        String model = options.model() != null ? options.model() : OpenAiStreamClient.firstModel(options.baseUrl(), options.apiKey());
        OpenAiStreamClient client = new OpenAiStreamClient(options.baseUrl(), options.api(), model, options.apiKey(),
                Duration.ofSeconds(options.timeoutSeconds()));
        List<String> prompts = Prompts.generate(options.dataset(), options.numPrompts(), options.inputLen(),
                options.prefixLen(), options.rangeRatio(), options.seed());
        List<BenchReport> reports = new ArrayList<>();
        for (Integer concurrency : options.requestRate() > 0 ? Collections.singletonList((Integer) null) : options.concurrency()) {
            reports.add(run(options, client, model, prompts, concurrency));
        }
        return reports;
    }
}
