package dev.tandem.prefill.grpc;

import java.util.concurrent.ThreadLocalRandom;

import dev.tandem.model.sampling.SamplingParams;
import dev.tandem.model.worker.FinishRule;
import dev.tandem.protocol.grpc.FinishReason;

/** Between the wire contract and the engine's types. */
final class ProtoMapping {

    private ProtoMapping() {
    }

    static SamplingParams sampling(dev.tandem.protocol.grpc.SamplingParams proto) {
        return new SamplingParams(proto.getTemperature(), proto.getTopP() == 0 ? 1f : proto.getTopP(), proto.getTopK(),
                proto.getMinP(), proto.hasSeed() ? proto.getSeed() : null, proto.getMaxTokens(), proto.getIgnoreEos(),
                proto.getStopTokenIdsList().stream().mapToInt(Integer::intValue).toArray());
    }

    static long seed(dev.tandem.protocol.grpc.SamplingParams proto) {
        return proto.hasSeed() ? proto.getSeed() : ThreadLocalRandom.current().nextLong();
    }

    static FinishReason finishReason(FinishRule.Reason reason) {
        return switch (reason) {
            case STOP -> FinishReason.FINISH_REASON_STOP;
            case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
        };
    }
}
