package dev.tandem.worker.grpc;

import java.util.List;

import dev.tandem.engine.sampling.LogProbs;
import dev.tandem.protocol.grpc.TokenLogprob;
import dev.tandem.protocol.grpc.TopLogprob;
import java.util.concurrent.ThreadLocalRandom;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.sampling.Penalties;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.worker.FinishRule;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;

/** Between the wire contract and the engine's types, the same for every worker. */
public final class ProtoMapping {

    private ProtoMapping() {
    }

    public static SamplingParams sampling(dev.tandem.protocol.grpc.SamplingParams proto) {
        return new SamplingParams(proto.getTemperature(), proto.getTopP() == 0 ? 1f : proto.getTopP(), proto.getTopK(),
                proto.getMinP(), proto.hasSeed() ? proto.getSeed() : null, proto.getMaxTokens(), proto.getIgnoreEos(),
                tokens(proto.getStopTokenIdsList()),
                new Penalties(proto.getRepetitionPenalty() == 0 ? 1f : proto.getRepetitionPenalty(),
                        proto.getFrequencyPenalty(), proto.getPresencePenalty(), proto.getLogitBiasMap()));
    }

    /** The request's seed, or one of the worker's choosing. */
    public static long seed(dev.tandem.protocol.grpc.SamplingParams proto) {
        return proto.hasSeed() ? proto.getSeed() : ThreadLocalRandom.current().nextLong();
    }

    /** Top entries a request asks for with each token's logprob (0 to 20), or -1 when it asks for no logprobs. */
    public static int topLogprobs(dev.tandem.protocol.grpc.SamplingParams proto) {
        return proto.hasTopLogprobs() ? Math.max(0, Math.min(proto.getTopLogprobs(), LogProbs.MAX_TOP)) : -1;
    }

    public static TokenLogprob logprob(LogProbs logprobs) {
        TokenLogprob.Builder out = TokenLogprob.newBuilder().setLogprob(logprobs.logprob());
        int[] ids = logprobs.topIds();
        float[] values = logprobs.topLogprobs();
        for (int i = 0; i < ids.length; i++) {
            out.addTop(TopLogprob.newBuilder().setTokenId(ids[i]).setLogprob(values[i]));
        }
        return out.build();
    }

    /** A migrated request's tokens generated before, at the end of its prompt (at most the whole prompt). */
    public static int stepOffset(dev.tandem.protocol.grpc.SamplingParams proto, int promptLength) {
        return Math.max(0, Math.min(proto.getStepOffset(), promptLength));
    }

    public static int[] tokens(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    public static FinishReason finishReason(FinishRule.Reason reason) {
        return switch (reason) {
            case STOP -> FinishReason.FINISH_REASON_STOP;
            case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
        };
    }

    /** What every worker reports of itself; each role adds its load. */
    public static WorkerInfo.Builder workerInfo(WorkerRuntime runtime, WorkerRole role) {
        KvBlockPool pool = runtime.pool();
        return WorkerInfo.newBuilder()
                .setWorkerId(runtime.workerId())
                .setRole(role)
                .setServedModelName(runtime.servedModelName())
                .setContextLength(runtime.model().config().contextLength())
                .setVocabSize(runtime.model().config().vocabSize())
                .setKvBlockSize(pool.blockSize())
                .setKvTotalBlocks(pool.totalBlocks())
                .setKvUsedBlocks(pool.usedBlocks());
    }
}
