package dev.tandem.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every image under docker/ (no image is built here: there is no Docker daemon): linted by dockerfile-utils, and
 * held to the deployment rules: a small UBI/CUDA runtime base, a non-root user, documented probes, the service's
 * ports, the model mounted rather than copied, and every COPY source either in the repository or produced by the build.
 */
class DockerfilesTest {

    /** Each service's module and ports (the worker images: system port, then gRPC). */
    record Service(String name, String module, List<String> ports) {
    }

    static final List<Service> SERVICES = List.of(
            new Service("frontend", "frontend-service", List.of("8000")),
            new Service("prefill", "prefill-service", List.of("8081", "9081")),
            new Service("decode", "decode-service", List.of("8081", "9081")));

    /** The runtime base per variant: the JVM on UBI 9, the native executable on the Quarkus micro image, CUDA on UBI 9. */
    static final Map<String, String> RUNTIME_BASES = Map.of(
            "jvm", "registry.access.redhat.com/ubi9/openjdk-25-runtime:",
            "native", "quay.io/quarkus/ubi9-quarkus-micro-image:",
            "cuda", "docker.io/nvidia/cuda:");
    static final String NATIVE_BUILDER = "quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-25";
    /** What src-native/build.sh produces for the GPU images. */
    static final String CUDA_LIBRARY = "src-native/build/libtandem_cuda.so";

    record Image(Service service, String variant, Path file) {
        Dockerfile parsed() {
            return Dockerfile.parse(file.toString(), Repo.read(Repo.ROOT.relativize(file).toString()));
        }

        @Override
        public String toString() {
            return Repo.ROOT.relativize(file).toString();
        }
    }

    static List<Image> images() {
        List<Image> images = new ArrayList<>();
        for (Service service : SERVICES) {
            try (Stream<Path> files = Files.list(Repo.path("docker/" + service.name()))) {
                files.filter(file -> file.getFileName().toString().startsWith("Dockerfile.")).sorted()
                        .forEach(file -> images.add(new Image(service,
                                file.getFileName().toString().substring("Dockerfile.".length()), file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return images;
    }

    @Test
    void everyServiceHasJvmAndNativeImagesAndTheWorkersCudaOnes() {
        assertEquals(List.of("frontend:jvm", "frontend:native", "prefill:cuda", "prefill:jvm", "prefill:native",
                        "decode:cuda", "decode:jvm", "decode:native"),
                images().stream().map(image -> image.service().name() + ":" + image.variant()).toList());
    }

    @Test
    void dockerfileUtilsFindsNoProblem() throws IOException {
        List<String> files = images().stream().map(Image::toString).toList();
        JsonNode report = new ObjectMapper().readTree(Repo.node("lint-dockerfiles.mjs", "", files));
        assertEquals(files.size(), report.size());
        report.properties().forEach(file -> assertTrue(file.getValue().isEmpty(), file.getKey() + ": " + file.getValue()));
    }

    @Test
    void theLinterDoesFlagABrokenDockerfile() throws IOException {
        Path broken = Files.createTempFile("Dockerfile", ".broken");
        Files.writeString(broken, "FROM scratch\nEXPOSE 80/tcpx\nENV LONELY\n");
        try {
            JsonNode report = new ObjectMapper().readTree(Repo.node("lint-dockerfiles.mjs", "", List.of(broken.toString())));
            assertEquals(2, report.get(broken.toString()).size(), report.toString());
        } finally {
            Files.delete(broken);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void theRuntimeStageIsSmallNonRootProbedAndExposesTheServicePorts(Image image) {
        Dockerfile.Stage runtime = image.parsed().last();
        assertTrue(runtime.base().startsWith(RUNTIME_BASES.get(image.variant())), "base " + runtime.base());
        if (image.variant().equals("cuda")) {
            assertTrue(runtime.base().endsWith("-ubi9"), "CUDA on UBI 9: " + runtime.base());
        }
        List<Dockerfile.Instruction> users = runtime.all("USER");
        assertFalse(users.isEmpty(), "no USER");
        String user = users.getLast().operands().getFirst();
        assertTrue(user.matches("[1-9][0-9]*"), "a numeric non-root user (runAsNonRoot can verify it): " + user);
        assertTrue(!runtime.all("HEALTHCHECK").isEmpty() || runtime.comments().stream().anyMatch(c -> c.startsWith("# Probes:")),
                "a HEALTHCHECK, or a '# Probes:' comment saying how to probe it");
        List<String> exposed = runtime.all("EXPOSE").stream().flatMap(i -> i.operands().stream()).toList();
        assertEquals(image.service().ports(), exposed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void theModelIsMountedNotCopied(Image image) {
        for (Dockerfile.Stage stage : image.parsed().stages()) {
            for (Dockerfile.Instruction copy : stage.all("COPY")) {
                assertFalse(copy.arguments().contains(".gguf") || copy.arguments().contains("models"), copy.toString());
            }
            for (Dockerfile.Instruction env : stage.all("ENV")) {
                assertFalse(env.arguments().contains("TANDEM_MODEL"), env.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void everyCopySourceIsInTheRepositoryOrProducedByTheBuild(Image image) throws IOException {
        Dockerfile dockerfile = image.parsed();
        DockerIgnore ignore = DockerIgnore.parse(Repo.read(".dockerignore"));
        for (Dockerfile.Stage stage : dockerfile.stages()) {
            for (Dockerfile.Instruction copy : stage.all("COPY")) {
                List<String> operands = copy.operands();
                String from = copy.flag("from");
                for (String source : operands.subList(0, operands.size() - 1)) {
                    if (from != null) {
                        checkFromNativeBuild(image, dockerfile.stage(from), source);
                    } else if (source.equals(".")) {
                        checkWholeContext(ignore);
                    } else {
                        checkContextFile(image, source, ignore);
                    }
                }
            }
        }
    }

    /** {@code COPY --from=build}: the native executable the Mandrel stage built for this very module. */
    private static void checkFromNativeBuild(Image image, Dockerfile.Stage build, String source) {
        assertNotNull(build, "the stage it copies from");
        assertEquals(NATIVE_BUILDER, build.base());
        assertEquals("/project/" + image.service().module() + "/target/*-runner", source);
        String run = build.all("RUN").stream().map(Dockerfile.Instruction::arguments).reduce("", String::concat);
        assertTrue(run.contains("-Pnative") && run.contains("-pl " + image.service().module()), run);
        assertTrue(Repo.read("pom.xml").contains("<quarkus.native.enabled>true</quarkus.native.enabled>"),
                "the root pom's native profile");
    }

    /** {@code COPY . /project}: the native build needs the wrapper, the poms and every module's sources. */
    private static void checkWholeContext(DockerIgnore ignore) {
        for (String needed : List.of("mvnw", "pom.xml", ".mvn/wrapper/maven-wrapper.properties",
                "protocol/src/main/proto", "engine/src/main/java", "frontend-service/src/main/java", "prefill-service/pom.xml",
                "decode-service/src/main/resources/application.properties")) {
            assertTrue(Files.exists(Repo.path(needed)), needed);
            assertFalse(ignore.excludes(needed), ".dockerignore drops " + needed);
        }
        assertTrue(ignore.excludes("frontend-service/target/classes/x.class"), "build leftovers stay out of the context");
        assertTrue(ignore.excludes("deploy-tests/tools/node_modules/yaml/package.json"));
    }

    private static void checkContextFile(Image image, String source, DockerIgnore ignore) throws IOException {
        assertFalse(ignore.excludes(source.replace("*", "x")), ".dockerignore drops " + source);
        if (source.equals(CUDA_LIBRARY)) {
            assertEquals("cuda", image.variant(), "only the GPU images carry the CUDA library");
            return;
        }
        String module = image.service().module();
        String packaged = module + "/target/quarkus-app/";
        assertTrue(source.startsWith(packaged), "a JVM image copies its own module's fast-jar: " + source);
        assertTrue(Repo.read(module + "/pom.xml").contains("<packaging>quarkus</packaging>"), module + " packages a Quarkus app");
        Path app = Repo.path(packaged);
        if (!Files.isDirectory(app)) {
            // this run did not package the module (a test run of this module alone): the layout is Quarkus' own
            return;
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + source.replaceAll("/$", ""));
        try (Stream<Path> files = Files.walk(Repo.path(module + "/target/quarkus-app"))) {
            assertTrue(files.map(Repo.ROOT::relativize).anyMatch(matcher::matches), source + " was not produced by the build");
        }
    }

    @Test
    void theGpuImagesCarryTheLibrarySrcNativeBuilds() {
        Set<String> copied = new java.util.TreeSet<>();
        for (Image image : images()) {
            image.parsed().last().all("COPY").forEach(copy -> copy.operands().stream()
                    .filter(CUDA_LIBRARY::equals).forEach(source -> copied.add(image.toString())));
        }
        assertEquals(Set.of("docker/decode/Dockerfile.cuda", "docker/prefill/Dockerfile.cuda"), copied);
        assertFalse(DockerIgnore.parse(Repo.read(".dockerignore")).excludes(CUDA_LIBRARY));
        assertTrue(DockerIgnore.parse(Repo.read(".dockerignore")).excludes("src-native/build/CMakeCache.txt"));
    }
}
