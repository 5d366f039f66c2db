package dev.tandem.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Dynamo's own variables that a worker reads: {@code DYN_NAMESPACE}. */
@ConfigMapping(prefix = "dyn")
public interface DynamoConfig {

    /** Dynamo's default namespace. */
    String DEFAULT_NAMESPACE = "dynamo";

    /** The {@code dynamo_namespace} label of the component metrics and the {@code namespace} of spans. */
    @WithDefault(DEFAULT_NAMESPACE)
    String namespace();
}
