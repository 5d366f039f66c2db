package dev.tandem.frontend.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The processes a test class starts, stopped together (the last started first) when it is done. */
final class ServiceProcesses implements Iterable<ServiceProcess> {

    private final List<ServiceProcess> processes = new ArrayList<>();

    /** Starts a module's service (see {@link ServiceProcess#start}) and keeps it for {@link #stopAll()}. */
    ServiceProcess start(String name, String module, Map<String, String> env) {
        ServiceProcess process = ServiceProcess.start(name, module, env);
        processes.add(process);
        return process;
    }

    /** One prefill and one decode worker, shared by a disaggregated frontend and an aggregated one. */
    record BothModes(ServiceProcess prefill, ServiceProcess decode, ServiceProcess disaggFrontend,
            OpenAiClient disagg, OpenAiClient agg) {
    }

    /**
     * Starts {@link BothModes}, every service with {@code env} (the model to serve; empty: the synthetic one), the
     * aggregated frontend with {@code aggEnv} too, and waits until all are healthy.
     */
    BothModes startBothModes(Map<String, String> env, Map<String, String> aggEnv, Duration startup) {
        ServiceProcess prefill = start("prefill-1", "prefill-service", env);
        ServiceProcess decode = start("decode-1", "decode-service", env);
        prefill.awaitHealthy(startup);
        decode.awaitHealthy(startup);
        ServiceProcess disaggFrontend = start("frontend-disagg", "frontend-service", with(env,
                Map.of("TANDEM_PREFILL_WORKERS", prefill.address(), "TANDEM_DECODE_WORKERS", decode.address())));
        Map<String, String> agg = with(env, aggEnv);
        agg.put("TANDEM_DECODE_WORKERS", decode.address());
        ServiceProcess aggFrontend = start("frontend-agg", "frontend-service", agg);
        return new BothModes(prefill, decode, disaggFrontend, new OpenAiClient(disaggFrontend.awaitHealthy(startup)),
                new OpenAiClient(aggFrontend.awaitHealthy(startup)));
    }

    private static Map<String, String> with(Map<String, String> env, Map<String, String> more) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(more);
        return all;
    }

    void stopAll() {
        processes.reversed().forEach(ServiceProcess::close);
    }

    Stream<ServiceProcess> stream() {
        return processes.stream();
    }

    @Override
    public Iterator<ServiceProcess> iterator() {
        return processes.iterator();
    }
}
