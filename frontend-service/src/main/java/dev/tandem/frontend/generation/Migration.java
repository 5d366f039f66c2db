package dev.tandem.frontend.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.jboss.logging.Logger;

import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.workers.TokenChunk;
import dev.tandem.frontend.workers.WorkerErrors;
import dev.tandem.protocol.grpc.SamplingParams;

/**
 * One request's migrations, Dynamo's: when the worker streaming it is lost (unreachable, stream dropped, draining,
 * or the prefill worker holding its KV gone), the request is sent again with the tokens generated so far appended
 * to its prompt, the rest of its token budget, and {@code step_offset} set to those tokens, so that penalties and
 * seeded draws carry on exactly where they stopped: the client sees one unbroken stream, the same as an undisturbed
 * run. Up to {@code limit} times, and not once the sequence exceeds {@code maxSeqLen}.
 *
 * <p>Token callbacks arrive one at a time, as do failures, from the request's stream.
 */
final class Migration {

    private static final Logger LOG = Logger.getLogger(Migration.class);

    private final String requestId;
    private final int[] prompt;
    private final SamplingParams sampling;
    private final int limit;
    private final OptionalInt maxSeqLen;
    private final RequestListener listener;
    private final List<Integer> generated = new ArrayList<>();
    private int migrations;
    /** Why the last failure was not migrated, for its message; null while nothing refused a migration. */
    private String refused;

    Migration(String requestId, int[] prompt, SamplingParams sampling, int limit, OptionalInt maxSeqLen,
            RequestListener listener) {
        this.requestId = requestId;
        this.prompt = prompt;
        this.sampling = sampling;
        this.limit = limit;
        this.maxSeqLen = maxSeqLen;
        this.listener = listener;
    }

    /** The prompt of the next attempt: the request's, then what it has generated. */
    int[] prompt() {
        if (generated.isEmpty()) {
            return prompt;
        }
        int[] resumed = java.util.Arrays.copyOf(prompt, prompt.length + generated.size());
        for (int i = 0; i < generated.size(); i++) {
            resumed[prompt.length + i] = generated.get(i);
        }
        return resumed;
    }

    /** The sampling of the next attempt: the budget left, and the step it goes on from. */
    SamplingParams sampling() {
        if (generated.isEmpty()) {
            return sampling;
        }
        return sampling.toBuilder().setMaxTokens(sampling.getMaxTokens() - generated.size())
                .setStepOffset(sampling.getStepOffset() + generated.size()).build();
    }

    void received(TokenChunk chunk) {
        generated.addAll(chunk.tokenIds());
    }

    int generated() {
        return generated.size();
    }

    /**
     * Whether every token of the budget has arrived: the worker was lost between the last token and the end of its
     * stream, so the next attempt only has to end it (a worker asked for no tokens would generate one).
     */
    boolean budgetSpent() {
        return sampling.getMaxTokens() > 0 && generated.size() >= sampling.getMaxTokens();
    }

    /** Whether a failure is migrated: the next attempt then starts from {@link #prompt()}. */
    boolean migrates(Throwable error) {
        if (!WorkerErrors.isMigratable(error)) {
            return false;
        }
        String reason = WorkerErrors.describe(error);
        if (migrations >= limit) {
            refused = limit == 0 ? "migration is off" : "its " + limit + " migrations are used up";
            LOG.infof("Request %s lost its worker after %d tokens (%s) and is not migrated: %s", requestId,
                    generated.size(), reason, refused);
            return false;
        }
        int sequence = prompt.length + generated.size();
        if (maxSeqLen.isPresent() && sequence > maxSeqLen.getAsInt()) {
            refused = "its " + sequence + " tokens exceed the migration bound of " + maxSeqLen.getAsInt();
            listener.migrationMaxSeqLenExceeded(sequence);
            LOG.infof("Request %s lost its worker after %d tokens (%s) and is not migrated: %s", requestId,
                    generated.size(), reason, refused);
            return false;
        }
        migrations++;
        refused = null;
        listener.migrating(migrations, generated.size(), reason);
        return true;
    }

    /** A failure that was not migrated, told as what happened. */
    Throwable explain(Throwable error) {
        if (refused == null || !WorkerErrors.isMigratable(error)) {
            return error;
        }
        return OpenAiException.workerUnavailable("The worker serving this request was lost after " + generated.size()
                + " generated tokens (" + WorkerErrors.describe(error) + ") and the request could not be migrated: "
                + refused);
    }
}
