package dev.tandem.frontend.e2e;

import java.util.ArrayList;
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
