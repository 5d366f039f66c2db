package dev.tandem.decode.batching;

import java.util.Arrays;

import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.TokenHistory;

/** A sequence the scheduler has admitted: prefilling, running, or preempted and waiting to be recomputed. */
final class Sequence {

    final SequenceRequest request;
    /** Prompt and generated tokens: penalties and the step index of the next draw. */
    final TokenHistory history;
    /** Tokens generated so far, the first (maybe sampled by a prefill worker) included. */
    private int[] generated = new int[16];
    private int generatedCount;
    /** Null while preempted. */
    KvSequence kv;
    /** While prefilling: the tokens whose K/V is being computed; their first kv.length() are done. */
    int[] context;
    /** Admission order: the highest is the youngest, preempted first. */
    long admittedAs;
    /** From submission to the first admission; -1 before it. */
    long queueMicros = -1;
    long prefillMicros;
    /** Prompt tokens the prefix cache held when the prompt was last admitted. */
    int cachedTokens;

    Sequence(SequenceRequest request) {
        this.request = request;
        this.history = TokenHistory.resumed(request.prompt, request.stepOffset);
    }

    void generated(int token) {
        if (generatedCount == generated.length) {
            generated = Arrays.copyOf(generated, generatedCount * 2);
        }
        generated[generatedCount++] = token;
        history.add(token);
    }

    int generatedCount() {
        return generatedCount;
    }

    int lastToken() {
        return generated[generatedCount - 1];
    }

    /** What a (re)admitted sequence computes: the prompt and every token generated so far. */
    int[] contextToCompute() {
        int[] all = Arrays.copyOf(request.prompt, request.prompt.length + generatedCount);
        System.arraycopy(generated, 0, all, request.prompt.length, generatedCount);
        return all;
    }

    /** Prompt tokens (and recomputed ones) still to prefill; 0 unless prefilling. */
    int tokensToPrefill() {
        return context == null ? 0 : context.length - kv.length();
    }
}
