package dev.tandem.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

/**
 * Dependencies go one way: HTTP → frontend → workers; services → worker runtime → engine → model → GGUF. Maven's
 * module graph already forbids a library depending on a service; these rules hold inside and across modules.
 */
class DependencyRulesTest {

    @Test
    void noPackageCycles() {
        slices().matching("dev.tandem.(**)").should().beFreeOfCycles().check(ProjectClasses.all());
    }

    @Test
    void frontendNeverTouchesTheEngineOrTheWorkers() {
        noClasses().that().resideInAPackage("dev.tandem.frontend..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tandem.engine..", "dev.tandem.worker..",
                        "dev.tandem.tools..", "dev.tandem.prefill..", "dev.tandem.decode..", "jcuda..")
                .check(ProjectClasses.all());
    }

    @Test
    void engineAndFormatsArePlainJava() {
        noClasses().that().resideInAnyPackage("dev.tandem.engine..", "dev.tandem.model..", "dev.tandem.gguf..",
                        "dev.tandem.tokenizer..", "dev.tandem.structured..", "dev.tandem.chattemplate..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "io.grpc..", "io.smallrye..",
                        "jakarta..", "io.opentelemetry..", "io.micrometer..", "dev.tandem.protocol..",
                        "dev.tandem.telemetry..", "dev.tandem.worker..")
                .check(ProjectClasses.all());
    }

    @Test
    void lowerLayersNeverReachUp() {
        noClasses().that().resideInAnyPackage("dev.tandem.gguf..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tandem.tokenizer..", "dev.tandem.model..",
                        "dev.tandem.engine..")
                .check(ProjectClasses.all());
        noClasses().that().resideInAnyPackage("dev.tandem.model..", "dev.tandem.tokenizer..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tandem.engine..")
                .check(ProjectClasses.all());
        noClasses().that().resideInAnyPackage("dev.tandem.protocol..", "dev.tandem.telemetry..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tandem.engine..", "dev.tandem.worker..",
                        "dev.tandem.frontend..", "dev.tandem.prefill..", "dev.tandem.decode..")
                .check(ProjectClasses.all());
        noClasses().that().resideInAPackage("dev.tandem.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tandem.prefill..", "dev.tandem.decode..",
                        "dev.tandem.frontend..", "dev.tandem.tools..")
                .check(ProjectClasses.all());
    }

    @Test
    void workersNeverDependOnEachOther() {
        noClasses().that().resideInAPackage("dev.tandem.prefill..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tandem.decode..", "dev.tandem.frontend..")
                .check(ProjectClasses.all());
        noClasses().that().resideInAPackage("dev.tandem.decode..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tandem.prefill..", "dev.tandem.frontend..")
                .check(ProjectClasses.all());
    }

    @Test
    void theEngineReachesGrpcStatusesOnlyAtTheEdge() {
        noClasses().that().resideInAnyPackage("dev.tandem.decode.batching..", "dev.tandem.prefill.scheduling..")
                .should().dependOnClassesThat().resideInAPackage("io.grpc..")
                .check(ProjectClasses.all());
    }
}
